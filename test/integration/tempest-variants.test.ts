/**
 * The three Tempest images, built from the one recipe: each has its own content-hash tag and labels, lists
 * its tests, carries its patches (container/patches/), and is matched against every bundled guideline
 * target and standard. What each Tempest lacks of each is printed as a table (README "Which Tempest") and
 * pinned here, so a Debian package update that drops or renames a guideline test shows up as a failure.
 * A backport that no longer applies fails the build, naming it (cheap: the layers below it are cached).
 *
 * Tempest 47 comes from Debian testing, whose Release files on this machine's dated mirror snapshot are
 * past their Valid-Until: the test bed builds it with TESTBED_APT_ARGS (hashed into its tag, in a label).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadImageFiles } from '../../src/engine/build-context.js';
import { listInstalledTests } from '../../src/engine/container.js';
import { createEngine } from '../../src/engine/docker.js';
import { ensureImage, imageTag, IMAGE_REPO } from '../../src/engine/image.js';
import { TcupError } from '../../src/core/errors.js';
import { patchFailure } from '../../src/pipeline/steps/tempest-image.js';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { matchTests, type RequestedTest } from '../../src/guidelines/match.js';
import { INDEX } from '../../src/guidelines/data/index.js';
import { targetsOf } from '../../src/guidelines/model.js';
import { selectTests } from '../../src/guidelines/select.js';
import { loadStandard } from '../../src/guidelines/standard.js';
import { PROTOCOL_VERSION } from '../../src/protocol/container.js';
import { PLUGINS } from '../../src/guidelines/model.js';
import {
  tempestImageOptions,
  testbedImageArgs,
  variantById,
  VARIANTS,
  type VariantId,
} from '../../src/tempest/variant.js';
import { describeDocker, requireDocker } from '../support/testbed.js';

const engine = createEngine(process.env);
const run = promisify(execFile);

/** What a file of an image says (a throwaway container, removed at once). */
async function readInImage(tag: string, script: string): Promise<string> {
  const { stdout } = await run('docker', [
    'run',
    '--rm',
    '--label',
    'tcup.test=1',
    '--entrypoint',
    'sh',
    tag,
    '-c',
    script,
  ]);
  return stdout;
}

/**
 * Every bundled core/add-on target (required tests) and every standard, with the tests it asks for and
 * the plugins its image gets (an add-on's: what a run of that target builds).
 */
function bundledLists(): { name: string; tests: RequestedTest[]; plugins: string[] }[] {
  const lists: { name: string; tests: RequestedTest[]; plugins: string[] }[] = [];
  for (const v of INDEX.versions) {
    const guideline = loadBundledGuideline(v.id);
    for (const target of targetsOf(guideline))
      lists.push({
        name: `${v.id} ${target}`,
        tests: selectTests(guideline, { target }).tests,
        plugins: PLUGINS[target] ?? [],
      });
  }
  for (const id of INDEX.standards) lists.push({ name: id, tests: loadStandard(id).tests, plugins: [] });
  return lists;
}

/** Required tests each Tempest lacks (not found by name, alias or idempotent id), measured on the images. */
const EXPECTED_MISSING: Record<VariantId, Record<string, number>> = {
  '47': {},
  '43': {},
  '33': {},
};

const key = (id: VariantId, plugins: readonly string[]) => `${id} ${plugins.join(' ')}`;

describeDocker('the three Tempest images', () => {
  const installed = new Map<string, string[]>();
  const tags = new Map<VariantId, string>();
  beforeAll(async () => {
    await requireDocker();
    // The core images, then the add-ons' (one small layer more each), one build at a time.
    for (const plugins of [[], ...Object.values(PLUGINS)])
      for (const variant of VARIANTS) {
        const o = tempestImageOptions(variant, plugins);
        const image = await ensureImage(engine, loadImageFiles(), {
          ...o,
          args: { ...o.args, ...testbedImageArgs(variant) },
          proxy: {},
          onLine: () => undefined,
        });
        if (plugins.length === 0) tags.set(variant.id, image.tag);
        installed.set(
          key(variant.id, plugins),
          await listInstalledTests(engine, image.tag, `it-variants-${Date.now()}`),
        );
      }
  }, 3_600_000);

  it('each variant has its own content-hash tag and says what it is in its labels', async () => {
    const files = loadImageFiles();
    const [t47, t43, t33] = [tags.get('47')!, tags.get('43')!, tags.get('33')!];
    expect(new Set([t47, t43, t33]).size).toBe(3);
    // Tempest 47 (the newest) is the Dockerfile's default (ARG DEBIAN=forky): no DEBIAN arg. The test
    // bed's 47 is not the one a user builds: its arg is in the hash.
    expect(t47).toBe(imageTag(files, [], IMAGE_REPO, { TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' }));
    expect(t47).not.toBe(imageTag(files, []));
    expect(t43).toBe(imageTag(files, [], IMAGE_REPO, { DEBIAN: 'trixie' }));
    expect(t33).toBe(imageTag(files, [], IMAGE_REPO, { DEBIAN: 'bookworm' }));
    for (const [id, tag] of tags) {
      const { Config } = await engine.getImage(tag).inspect();
      expect(Config.Labels).toMatchObject({
        tcup: '1',
        'tcup.tempest': id,
        'tcup.protocol': String(PROTOCOL_VERSION),
        'tcup.hash': expect.stringMatching(new RegExp(`^${tag.split(':')[1]!}[0-9a-f]{48}$`)) as unknown,
        'tcup.patches':
          id === '43' ? 'rebuild-server-floating-ip' : id === '47' ? 'marker-test-own-projects' : '',
        'tcup.testbed.apt-valid-until': id === '47' ? 'ignore' : 'checked',
      });
    }
  });

  it('lists the tests of each Tempest (43 and 47 with the heat plugin their Debian package depends on)', () => {
    const counts = Object.fromEntries(
      VARIANTS.map((v) => [
        v.id,
        installed.get(key(v.id, []))!.filter((t) => t.startsWith('tempest.')).length,
      ]),
    );
    console.log(`tempest.* tests listed: ${JSON.stringify(counts)}`);
    for (const v of VARIANTS) expect(counts[v.id]).toBeGreaterThan(1500);
    expect(installed.get(key('47', []))!.some((t) => t.startsWith('heat_tempest_plugin.'))).toBe(true);
    expect(installed.get(key('43', []))!.some((t) => t.startsWith('heat_tempest_plugin.'))).toBe(true);
    expect(installed.get(key('33', []))!.some((t) => t.startsWith('heat_tempest_plugin.'))).toBe(false);
  });

  it("carries its patches: 43's test_rebuild_server is guarded (47 has upstream's guard), 47's marker skip narrowed", async () => {
    const file = '/usr/lib/python3/dist-packages/tempest/api/compute/servers/test_server_actions.py';
    const guard = `grep -c "if 'floating_ip' in validation_resources:" ${file}`;
    const account = '/usr/lib/python3/dist-packages/tempest/api/object_storage/test_account_services.py';
    const narrowed = `grep -c "skipIf(not _own_swift_accounts()" ${account}`;
    expect(await readInImage(tags.get('43')!, `cat /usr/share/tcup/patches.txt; ${guard}`)).toBe(
      'rebuild-server-floating-ip\n1\n',
    );
    expect(await readInImage(tags.get('47')!, `cat /usr/share/tcup/patches.txt; ${guard}; ${narrowed}`)).toBe(
      'marker-test-own-projects\n1\n1\n',
    );
    expect(await readInImage(tags.get('33')!, 'cat /usr/share/tcup/patches.txt')).toBe('');
  });

  it("47's marker test is skipped exactly where its bug holds: two operator accounts in one project", async () => {
    const entry = (user: string, project: string, role: string) =>
      `- username: ${user}\n  password: pw\n  project_name: ${project}\n  roles: [${role}]\n`;
    // name, accounts file (undefined: none), whether the test runs
    const cases: [string, string | undefined, string][] = [
      [
        'a project each, a reader twin beside a member',
        entry('a', 'pa', 'member') + entry('b', 'pb', 'member') + entry('a', 'pa', 'reader'),
        'True',
      ],
      [
        'two operators in one project (one Swift account)',
        entry('a', 'pa', 'member') + entry('b', 'pa', 'member'),
        'False',
      ],
      ['no accounts file to read', undefined, 'False'],
    ];
    const script = cases
      .map(([, yaml], i) =>
        [
          yaml === undefined ? '' : `cat > /tmp/a${i}.yaml <<'EOF'\n${yaml}EOF`,
          `printf '[auth]\\nuse_dynamic_credentials = false\\ntest_accounts_file = /tmp/a${i}.yaml\\n' > /tmp/t${i}.conf`,
          `TEMPEST_CONFIG_DIR=/tmp TEMPEST_CONFIG=t${i}.conf python3 -c 'from tempest.api.object_storage import test_account_services as t; print("runs:", t._own_swift_accounts())' 2>/dev/null | grep '^runs: '`,
        ].join('\n'),
      )
      .join('\n');
    // Tempest logs to stdout too: the answers are the `runs:` lines.
    const runs = (await readInImage(tags.get('47')!, script))
      .trim()
      .split('\n')
      .map((l) => l.replace(/^runs: /, ''));
    expect(Object.fromEntries(cases.map(([name], i) => [name, runs[i]]))).toEqual(
      Object.fromEntries(cases.map(([name, , runsIt]) => [name, runsIt])),
    );
  });

  it('fails the build when a patch no longer applies, naming it', async () => {
    const files = [
      ...loadImageFiles(),
      {
        name: 'container/patches/zz-stale.patch',
        content: Buffer.from(
          [
            'Subject: a patch whose context is not in the file any more',
            'Tempest-From: 1.0.0',
            'Tempest-Fixed: 999.0.0',
            'Upstream: openstack/tempest 0000000',
            'Bug: https://bugs.launchpad.net/tempest/+bug/1',
            '',
            '--- a/tempest/api/compute/servers/test_server_actions.py',
            '+++ b/tempest/api/compute/servers/test_server_actions.py',
            '@@ -1,2 +1,2 @@',
            '-this line is not in the file',
            '+nor is this one',
            ' and no context matches',
            '',
          ].join('\n'),
        ),
      },
    ];
    const lines: string[] = [];
    const o = tempestImageOptions(variantById('43')!, [], files);
    const started = Date.now();
    const error = await ensureImage(engine, files, { ...o, proxy: {}, onLine: (l) => lines.push(l) }).then(
      () => undefined,
      (e: unknown) => patchFailure(lines, e) ?? e,
    );
    expect(error).toBeInstanceOf(TcupError);
    expect((error as TcupError).message).toMatch(
      /the image build failed: tcup patch zz-stale does not apply to Tempest 43\.0\.0 \(openstack\/tempest 0000000;/,
    );
    // The layers below the patches came from the cache: only the patch step ran.
    expect(lines.join('')).toMatch(/tcup patch rebuild-server-floating-ip: applied/);
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 300_000);

  describe('what each Tempest lacks of each bundled guideline', () => {
    it('matches every bundled list on both, as pinned', () => {
      const rows: string[] = [];
      const measured: Record<VariantId, Record<string, number>> = { '47': {}, '43': {}, '33': {} };
      for (const { name, tests, plugins } of bundledLists()) {
        const cells = VARIANTS.map((v) => {
          const { missing } = matchTests(tests, installed.get(key(v.id, plugins))!);
          if (missing.length > 0) measured[v.id][name] = missing.length;
          return `${missing.length} of ${tests.length}`;
        });
        rows.push(`| ${name} | ${cells.join(' | ')} |`);
      }
      console.log(
        `| list | ${VARIANTS.map((v) => `Tempest ${v.id} lacks`).join(' | ')} |\n|---|---|---|---|\n${rows.join('\n')}`,
      );
      expect(measured).toEqual(EXPECTED_MISSING);
    });
  });
});
