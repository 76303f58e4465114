/**
 * The built single file, copied alone into an empty directory, run as a user would against the real
 * Keystone test bed of Zed (Debian 12) with Tempest 33 (TCUP_TEMPEST=33: Keystone alone does not tell
 * its release): identity capabilities of 2020.06, results on disk, nothing left, no secret anywhere.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { startRefstackServer, type RefstackTestServer } from '../support/refstack-server.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

// A password any cloud could accept: quotes, spaces, shell and regex metacharacters, unicode.
const PASSWORD = `Pä$$ "w0rd" 'x' \\ & *.+ ${'`'}id${'`'} ✓`;

/** The launchers this file started, and their containers (the engine is shared). */
const { launch, containers: tcupContainers } = trackedLaunches();

describeDocker('tcup run against a real Keystone (single-file launcher)', () => {
  let keystone: KeystoneTenant;
  let refstack: RefstackTestServer;
  let run: LauncherRun;
  let dir: string;
  let launcher: string;
  let resultsDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    ({ dir, launcher } = launcherInEmptyDir());
    resultsDir = join(dir, 'results');
    env = { ...openrcEnv(keystone, keystone.members[0]!), TCUP_TEMPEST: '33' };
    // The user's RefStack key (OpenSSH format, as ssh-keygen makes it), registered with the server.
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'refstack_key')]);
    refstack = await startRefstackServer({ anonymous: false });
    refstack.registerKey(readFileSync(join(dir, 'refstack_key.pub'), 'utf8').trim());
    run = await launch(
      launcher,
      [
        '--guideline',
        '2020.06',
        '--capability',
        'identity-*',
        '--results-dir',
        resultsDir,
        '--upload',
        '--yes',
        '--sign',
        'refstack_key',
        '--refstack-url',
        refstack.url,
      ],
      { cwd: dir, env },
    );
  });

  afterAll(async () => {
    await refstack?.close();
    await keystone?.dispose();
  });

  it('passes the identity capabilities with Tempest 33, and says so', () => {
    expect(run.stderr).toMatch(
      /› Tempest 33 \(Debian 12\), Tempest 33\.0\.0 and python-tempestconf 2\.5\.0: as asked \(--tempest 33\); Keystone's version document \(v3\.14, 2020-04-07\) is the same from Ussuri to 2025\.1/,
    );
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

  it('uploads the signed document, byte for byte, and records where', () => {
    expect(refstack.stored.size).toBe(1);
    const [stored] = [...refstack.stored.values()];
    expect(stored!.owner).toBeDefined();
    expect(JSON.parse(stored!.rawBody.toString('utf8'))).toEqual(
      JSON.parse(readFileSync(join(resultsDir, 'refstack.json'), 'utf8')),
    );
    const upload = JSON.parse(readFileSync(join(resultsDir, 'upload.json'), 'utf8')) as { test_id: string };
    expect(upload.test_id).toBe(stored!.id);
    expect(run.stderr).toContain(`uploaded: `);
  });

  it('reports the requested tests this Tempest lacks, and a failing run says so in its exit code', async () => {
    const list = join(dir, 'list.txt');
    writeFileSync(
      list,
      'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token\n' +
        'tempest.api.identity.v3.test_tokens.TokensV3Test.test_no_such_test_in_this_tempest\n',
    );
    const out = join(dir, 'with-missing');
    const r = await launch(launcher, ['--test-list', 'list.txt', '-o', out], { cwd: dir, env });
    expect(r.stderr).toMatch(
      /missing: tempest\.api\.identity\.v3\.test_tokens\.TokensV3Test\.test_no_such_test_in_this_tempest/,
    );
    expect(readFileSync(join(out, 'missing.txt'), 'utf8')).toContain('test_no_such_test_in_this_tempest');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { missing: string[] };
    expect(summary.missing).toEqual([
      'tempest.api.identity.v3.test_tokens.TokensV3Test.test_no_such_test_in_this_tempest',
    ]);
    expect(r.code).toBe(9);
  });

  it('re-runs only what failed before and merges the verdict', async () => {
    const earlier = join(dir, 'earlier');
    execFileSync('cp', ['-r', resultsDir, earlier]);
    const tests = JSON.parse(readFileSync(join(earlier, 'tests.json'), 'utf8')) as {
      name: string;
      status: string;
    }[];
    const failed = tests.find((t) => t.name.endsWith('TokensV3Test.test_validate_token'))!;
    failed.status = 'fail';
    writeFileSync(join(earlier, 'tests.json'), JSON.stringify(tests));
    const out = join(dir, 'rerun');
    const r = await launch(
      launcher,
      ['--guideline', '2020.06', '--capability', 'identity-*', '--rerun-failed', 'earlier', '-o', out],
      { cwd: dir, env },
    );
    expect(r.stderr).toMatch(/re-running 1 of 7 tests/);
    expect(r.stderr).toMatch(/6 of 6 required capabilities pass/);
    const merged = JSON.parse(readFileSync(join(out, 'refstack.json'), 'utf8')) as { results: unknown[] };
    expect(merged.results).toHaveLength(7);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a launcher killed with SIGKILL leaves its container, and the next tcup removes it', async () => {
    const killed = await launch(launcher, ['--capability', 'identity-*', '-o', join(dir, 'killed')], {
      cwd: dir,
      env,
      onSpawn: (child, output) => {
        const poll = setInterval(() => {
          if (/\[\s*1\//.test(output())) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 100);
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(tcupContainers()).not.toEqual([]);
    const next = await launch(
      launcher,
      ['--capability', 'identity-v3-tokens-create', '-o', join(dir, 'after-kill')],
      { cwd: dir, env },
    );
    expect(next.stderr).toMatch(/removed 1 container\(s\) left by an earlier tcup that did not finish/);
    expect(next.code, next.stderr).toBe(0);
    expect(tcupContainers()).toEqual([]);
  });

  it('refuses a wrong password in seconds, before anything slow', async () => {
    const started = Date.now();
    const r = await launch(launcher, [], { cwd: dir, env: { ...env, OS_PASSWORD: 'not-the-password' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/✖ Keystone rejected the credentials for user demo/);
    expect(r.stderr).not.toMatch(/preparing the Tempest/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('without a terminal, a missing password is an error; --password-stdin reads it from a pipe', async () => {
    // Another member: the wrong-password cases lock a user out for a few seconds (Keystone's lockout).
    const { OS_PASSWORD: _, ...noPassword } = openrcEnv(keystone, keystone.members[1]!);
    const refused = await launch(launcher, [], { cwd: dir, env: noPassword });
    expect(refused.code).toBe(3);
    // It names whose password is missing (user, project, host), the variable, and what supplies it.
    const user = noPassword.OS_USERNAME!;
    const project = noPassword.OS_PROJECT_NAME!;
    const host = new URL(noPassword.OS_AUTH_URL!).host;
    const errorLine = refused.stderr.split('\n').find((l) => l.startsWith('✖'));
    expect(errorLine, refused.stderr).toMatch(
      /^✖ OS_PASSWORD is not set \(.*\) and there is no terminal to ask for it$/,
    );
    expect(errorLine).toContain(`the password of user ${user}, project ${project} on ${host}`);
    expect(refused.stderr).toMatch(/\n\s+hint: .*OS_PASSWORD.*--password-stdin/);
    const wrong = await launch(launcher, ['--password-stdin'], {
      cwd: dir,
      env: noPassword,
      input: 'wrong\n',
    });
    expect(wrong.stderr).toMatch(/Keystone rejected the credentials/);
    expect(wrong.code).toBe(4);
    const right = await launch(
      launcher,
      ['--password-stdin', '--capability', 'identity-v3-tokens-create', '-o', join(dir, 'stdin')],
      {
        cwd: dir,
        env: noPassword,
        input: PASSWORD + '\n',
      },
    );
    expect(right.stderr).toMatch(/Keystone accepted the credentials/);
    expect(right.code, right.stderr).toBe(0);
  });

  it('names a missing OS_AUTH_URL with a hint', async () => {
    const { OS_AUTH_URL: _, ...rest } = env;
    const r = await launch(launcher, [], { cwd: dir, env: rest });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/✖ OS_AUTH_URL is not set\n\s+hint: source your openrc file/);
  });

  it('shows progress while it runs', () => {
    expect(run.stderr).toMatch(/\[\s*\d+\/\s*\d+\]/);
  });

  it('leaves no container behind', () => {
    expect(tcupContainers()).toEqual([]);
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
