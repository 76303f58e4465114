/**
 * The container protocol when the container misbehaves, end to end with the built single file against
 * a real Keystone: a container that writes a line that is not the protocol, and a Tempest that crashes,
 * each end in exit 7 with one sentence and nothing of tcup's left on the engine. The faults are built
 * into images of their own (test/support/image-faults.ts): the product has no test hook. Also the
 * container's Python side (container/protocol.py, container/scrub.py) inside the real image.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeProtocol } from '../../src/protocol/container.js';
import { tcupLeftovers } from '../support/faults.js';
import {
  imageOf,
  launcherWithImageFault,
  MALFORMED_EVENT,
  TEMPEST_CRASH,
  type ImageFault,
} from '../support/image-faults.js';
import { trackedLaunches } from '../support/launcher.js';
import { PROTOCOL_VECTORS } from '../support/protocol-vectors.js';
import { SCRUBBED, SECRET_CASES, SECRET_VECTORS, scrubInput } from '../support/secret-forms.js';
import { buildTempestImage, describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

const PASSWORD = `pr0to "fault" $x %41 'q' \\ & <b>\u00a0✓`;
const IDENTITY = ['--guideline', '2020.06', '--capability', 'identity-*'];
/** This file's launchers: the leftovers checked are theirs alone (the engine is shared). */
const launches = trackedLaunches();

/** The documented code, exactly one `✖` sentence, no stack trace, the password nowhere. */
function expectFailure(
  r: { code: number | null; stderr: string; stdout: string },
  code: number,
  message: RegExp,
) {
  expect(r.code, r.stderr).toBe(code);
  // eslint-disable-next-line no-control-regex
  const plain = r.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const errors = plain.split('\n').filter((l) => l.startsWith('✖'));
  expect(errors, r.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(errors[0]!.length, 'one sentence, not a dump').toBeLessThan(300);
  expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$|^\s+at [\w.<>]+ \(/m);
  expect(r.stderr + r.stdout).not.toContain(PASSWORD);
}

/** `python3 SCRIPT ARGS` inside `image`, JSON in and out. */
function inImage(image: string, script: string, args: string[], input: unknown = null): unknown {
  const out = execFileSync(
    'docker',
    [
      'run',
      '--rm',
      '-i',
      '--label',
      'tcup.test=1',
      '--entrypoint',
      'python3',
      image,
      `/usr/local/lib/tcup/${script}`,
      ...args,
    ],
    { input: input === null ? '' : JSON.stringify(input), encoding: 'utf8' },
  );
  return JSON.parse(out) as unknown;
}

describeDocker('container protocol faults', () => {
  let keystone: KeystoneTenant;
  let env: Record<string, string>;
  let image: string;
  const faultImages: string[] = [];

  beforeAll(async () => {
    await requireDocker();
    image = await buildTempestImage();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    env = openrcEnv(keystone, keystone.members[0]!);
  });

  afterAll(async () => {
    await keystone?.dispose();
    for (const tag of faultImages) execFileSync('docker', ['image', 'rm', '-f', tag], { stdio: 'ignore' });
  });

  async function launchWith(fault: ImageFault, name: string) {
    const { dir, launcher } = launcherWithImageFault(fault);
    const started = Date.now();
    const r = await launches.launch(launcher, [...IDENTITY, '-o', join(dir, name)], { cwd: dir, env });
    const tag = imageOf(r.stderr);
    if (tag && tag !== image) faultImages.push(tag);
    expect(tag, 'the fault image is its own').not.toBe(image);
    // Nothing labelled tcup=1 that this run created is left on the engine.
    expect(await tcupLeftovers(launches, started), r.stderr).toEqual([]);
    return r;
  }

  it('a line that is not the protocol: exit 7, the running container removed', async () => {
    const r = await launchWith(MALFORMED_EVENT, 'malformed');
    expectFailure(
      r,
      7,
      /✖ the test container wrote a line that is not tcup's protocol \(an event is not valid JSON\)/,
    );
  });

  it('Tempest crashes (partial stream, exit 1): exit 7 with its last error lines, not "NOT compliant"', async () => {
    const r = await launchWith(TEMPEST_CRASH, 'crash');
    expectFailure(
      r,
      7,
      /✖ Tempest crashed \(exit code 1\) after 0 of \d+ test results: RuntimeError: tcup fault test: Tempest crashed/,
    );
    expect(r.stderr).toMatch(/tempest: Traceback \(most recent call last\)/);
    expect(r.stderr).not.toMatch(/NOT compliant/);
  });

  it("the image's protocol.py describes the same protocol as the launcher and judges the vectors alike", () => {
    expect(inImage(image, 'protocol.py', ['--describe'])).toEqual(describeProtocol());
    const verdicts = inImage(
      image,
      'protocol.py',
      ['--check'],
      PROTOCOL_VECTORS.map((v) => ({ kind: v.kind, text: v.text })),
    ) as object[];
    expect(PROTOCOL_VECTORS.map((v, i) => ({ name: v.name, ...verdicts[i] }))).toEqual(
      PROTOCOL_VECTORS.map((v) => ({
        name: v.name,
        ...(v.error === undefined ? { ok: true } : { ok: false, error: v.error }),
      })),
    );
  });

  it("the image's scrubber computes the table's forms and removes every one", () => {
    expect(
      inImage(
        image,
        'scrub.py',
        ['--forms'],
        SECRET_VECTORS.map((v) => v.secret),
      ),
    ).toEqual(SECRET_VECTORS.map((v) => v.forms));
    const out = inImage(image, 'scrub.py', ['--apply'], scrubInput()) as string[];
    expect(SECRET_CASES.filter((_, i) => out[i] !== SCRUBBED).map((c) => c.name)).toEqual([]);
  });
});
