/**
 * The built single file, copied alone into an empty directory, run as a user would against the real
 * Keystone test bed: identity capabilities of 2020.06, results on disk, nothing left, no secret anywhere.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';
import {
  buildTestbedImages,
  describeDocker,
  openrcEnv,
  requireDocker,
  startKeystone,
  type StartedKeystone,
} from '../support/testbed.js';

// A password any cloud could accept: quotes, spaces, shell and regex metacharacters, unicode.
const PASSWORD = `Pä$$ "w0rd" 'x' \\ & *.+ ${'`'}id${'`'} ✓`;

const tcupContainers = () =>
  execFileSync('docker', ['ps', '-aq', '--filter', 'label=tcup=1'], { encoding: 'utf8' }).trim();

describeDocker('tcup run against a real Keystone (single-file launcher)', () => {
  let keystone: StartedKeystone;
  let run: LauncherRun;
  let dir: string;
  let resultsDir: string;

  beforeAll(async () => {
    await requireDocker();
    await buildTestbedImages();
    keystone = await startKeystone({ memberPassword: PASSWORD });
    const where = launcherInEmptyDir();
    dir = where.dir;
    resultsDir = join(dir, 'results');
    const env = openrcEnv(keystone, keystone.members[0]!);
    run = await runLauncher(
      where.launcher,
      ['--guideline', '2020.06', '--capability', 'identity-*', '--results-dir', resultsDir],
      { cwd: dir, env },
    );
  });

  afterAll(async () => {
    await keystone?.stop();
  });

  it('passes the identity capabilities and says so', () => {
    expect(run.stderr).toMatch(/identity-v3-tokens-create/);
    expect(run.stderr).toMatch(/OpenStack Powered Platform 2020\.06: \d+ of \d+ required capabilities pass/);
    expect(run.code, run.stderr).toBe(0);
  });

  it('writes the results folder: subunit, JUnit, RefStack document, summary', () => {
    const files = readdirSync(resultsDir);
    for (const f of [
      'results.subunit',
      'junit.xml',
      'refstack.json',
      'summary.json',
      'tests.json',
      'tempest.log',
    ])
      expect(files).toContain(f);
    const doc = JSON.parse(readFileSync(join(resultsDir, 'refstack.json'), 'utf8')) as {
      cpid: string;
      duration_seconds: number;
      results: { name: string; uuid?: string }[];
    };
    expect(Object.keys(doc)).toEqual(['cpid', 'duration_seconds', 'results']);
    expect(doc.results.map((r) => r.name)).toContain(
      'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token',
    );
    expect(doc.results.every((r) => /^[0-9a-f-]{36}$/.test(r.uuid ?? ''))).toBe(true);
    expect(doc.cpid).toMatch(/^[0-9a-f]{32}$/);
    const summary = JSON.parse(readFileSync(join(resultsDir, 'summary.json'), 'utf8')) as {
      compliant: boolean;
    };
    expect(summary.compliant).toBe(true);
    expect(readFileSync(join(resultsDir, 'junit.xml'), 'utf8')).toMatch(/<testsuite/);
  });

  it('shows progress while it runs', () => {
    expect(run.stderr).toMatch(/\[\s*\d+\/\s*\d+\]/);
  });

  it('leaves no container behind', () => {
    expect(tcupContainers()).toBe('');
  });

  it('never shows or stores the password', () => {
    const forms = [PASSWORD, encodeURIComponent(PASSWORD), JSON.stringify(PASSWORD).slice(1, -1)];
    const haystacks: [string, string][] = [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
      ...readdirSync(resultsDir).map((f): [string, string] => [
        f,
        readFileSync(join(resultsDir, f), 'latin1'),
      ]),
      ...readdirSync(resultsDir).map((f): [string, string] => [f, readFileSync(join(resultsDir, f), 'utf8')]),
      ['argv', run.argvSeen.join('\n')],
    ];
    for (const [where, text] of haystacks)
      for (const form of forms) expect(text.includes(form), where).toBe(false);
  });
});
