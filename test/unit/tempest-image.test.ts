/** Whether a ready image or a saved archive is a tcup image this tcup can use (pure checks of labels). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { checkArchive, describeImageVariant, imageSaveCommand } from '../../src/commands/image.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Deps } from '../../src/pipeline/options.js';
import { checkImageLabels } from '../../src/pipeline/steps/tempest-image.js';
import { PROTOCOL_VERSION } from '../../src/protocol/container.js';
import { createRedactor } from '../../src/redaction/redactor.js';
import { variantById, VARIANTS, type VariantId } from '../../src/tempest/variant.js';
import { createFakeEngine } from '../support/fake-engine.js';

const HASH = 'ab'.repeat(32);
const labels = (extra: Record<string, string> = {}) => ({
  tcup: '1',
  'tcup.hash': HASH,
  'tcup.tempest': '43',
  'tcup.protocol': String(PROTOCOL_VERSION),
  'tcup.plugins': '',
  ...extra,
});
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(TcupError);
    expect((error as TcupError).code).toBe('USAGE');
    return (error as TcupError).message;
  }
  throw new Error('not refused');
};

describe('a ready image (--tempest-image)', () => {
  it('is used when its labels say tcup, a Tempest and this protocol', () => {
    expect(checkImageLabels('r/x:1', labels(), { plugins: [] }).id).toBe('43');
    const dns = labels({ 'tcup.plugins': 'designate-tempest-plugin' });
    expect(checkImageLabels('r/x:1', dns, { plugins: ['designate-tempest-plugin'] }).id).toBe('43');
  });

  const refused: [string, Record<string, string>, { tempest?: '43' | '33'; plugins: string[] }, RegExp][] = [
    ['no labels', {}, { plugins: [] }, /r\/x:1 is not a tcup image/],
    ['no Tempest label', labels({ 'tcup.tempest': '' }), { plugins: [] }, /not a tcup Tempest image/],
    ['another protocol', labels({ 'tcup.protocol': '0' }), { plugins: [] }, /protocol 0, this tcup 1/],
    ['no protocol', labels({ 'tcup.protocol': '' }), { plugins: [] }, /speaks container protocol/],
    ['another Tempest', labels(), { tempest: '33', plugins: [] }, /holds Tempest 43 .*not Tempest 33/],
    [
      'a plugin missing',
      labels(),
      { plugins: ['designate-tempest-plugin'] },
      /lacks .*designate-tempest-plugin/,
    ],
  ];
  it.each(refused)('is refused with %s', (_, l, want, message) =>
    expect(refusal(() => checkImageLabels('r/x:1', l, want))).toMatch(message),
  );
});

describe('a saved archive (tcup image load)', () => {
  const known = new Map([[HASH, { variant: VARIANTS[0]!, plugins: [] }]]);
  const tag = `tcup-tempest:${HASH.slice(0, 16)}`;
  it('is accepted when it holds one tcup image of a known hash, under its tag', () => {
    expect(checkArchive('f.tar', [{ repoTags: [tag], labels: labels() }], known)).toMatchObject({ tag });
    // The hash decides the Tempest (and the scripts, so the protocol), whatever else the labels say.
    const bare = { tcup: '1', 'tcup.hash': HASH };
    expect(checkArchive('f.tar', [{ repoTags: [tag], labels: bare }], known).variant.id).toBe(
      VARIANTS[0]!.id,
    );
  });
  const refused: [string, Parameters<typeof checkArchive>[1], RegExp][] = [
    ['no tcup image', [{ repoTags: ['debian:x'], labels: { a: 'b' } }], /f\.tar is not a tcup image/],
    [
      'two',
      [
        { repoTags: [tag], labels: labels() },
        { repoTags: [], labels: labels() },
      ],
      /holds 2 tcup images/,
    ],
    [
      'another hash',
      [{ repoTags: [tag], labels: labels({ 'tcup.hash': 'cd'.repeat(32) }) }],
      /another content hash/,
    ],
    ['another tag', [{ repoTags: ['tcup-tempest:other'], labels: labels() }], /does not name the image/],
  ];
  it.each(refused)('is refused with %s', (_, images, message) =>
    expect(refusal(() => checkArchive('f.tar', images, known))).toMatch(message),
  );
});

// ------------------------------------------------------------------------------- tcup image save
describe('tcup image save (stand-in engine)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-image-save-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Saves with a stand-in engine whose `docker save` gives a few bytes: its stderr and the build args. */
  async function save(tempest: VariantId, env: Record<string, string> = {}) {
    const fake = createFakeEngine();
    const builds: Record<string, string>[] = [];
    const engine: Engine = {
      ...fake.engine,
      buildImage: (context, build) => {
        builds.push(build.buildargs);
        return fake.engine.buildImage(context, build);
      },
      getImage: (name) => ({
        ...fake.engine.getImage(name),
        get: () => Promise.resolve(Readable.from([Buffer.from('image tar')])),
      }),
    };
    let stderr = '';
    const err = new PassThrough();
    err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deps = {
      env,
      cwd: dir,
      stderr: err as unknown as NodeJS.WriteStream,
      redactor: createRedactor(),
      signal: new AbortController().signal,
      engine: () => Promise.resolve(engine),
    } as unknown as Deps;
    const code = await imageSaveCommand(deps, `t-${tempest}.tar`, { tempest, verbose: false, cwd: dir });
    return { code, stderr, builds };
  }

  it("names the variant's backports in the line that says what was written", async () => {
    const r = await save('43');
    expect(r.code, r.stderr).toBe(0);
    const wrote = r.stderr.split('\n').find((l) => l.includes('wrote '));
    expect(wrote, r.stderr).toContain("Tempest 43 (Debian 13), tcup's patches: rebuild-server-floating-ip");
  });

  it('passes the test bed build arg when the environment asks (TCUP_TESTBED_APT_VALID_UNTIL=ignore), with one warning', async () => {
    const plain = await save('47');
    const bed = await save('47', { TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' });
    expect(bed.code, bed.stderr).toBe(0);
    expect(plain.builds[0]).not.toHaveProperty('TCUP_TESTBED_APT_VALID_UNTIL');
    expect(bed.builds[0]).toMatchObject({ TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' });
    expect(bed.stderr.match(/apt's Valid-Until check is off/g), bed.stderr).toHaveLength(1);
    expect(plain.stderr).not.toContain('Valid-Until');
  });
});

describe('describeImageVariant', () => {
  it.each([
    ['43', "Tempest 43 (Debian 13), tcup's patches: rebuild-server-floating-ip"],
    ['33', "Tempest 33 (Debian 12), tcup's patches: none"],
  ] as const)('Tempest %s', (id, line) => expect(describeImageVariant(variantById(id)!)).toBe(line));
});
