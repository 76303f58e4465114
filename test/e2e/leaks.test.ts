/**
 * No secret leaves tcup: the cloud password, an application credential secret, the Keystone token of the
 * preflight and a signing-key passphrase, searched in every form (plain, URL-encoded, JSON-escaped, base64)
 * everywhere a run could leave them: stdout, stderr, the results folders, the arguments of every process
 * seen, `docker inspect` of tcup's containers while they live, its images (inspect, history, file
 * system), the host's temp files and the engine's container logs written meanwhile, and what the RefStack
 * server received. Each mode runs: a run with a signed upload, an application-credential run, a failure
 * inside the container, a refused password, the debug shell and `tcup upload DIR`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderAccountsYaml } from '../../src/cloud/accounts.js';
import { tcupLeftovers } from '../support/faults.js';
import {
  dockerLogsSince,
  filesChangedSince,
  findLeaks,
  folderHaystacks,
  imageFilesMatching,
  imageHaystacks,
  secretForms,
  startTokenProxy,
  tcupImages,
  watchTcupContainers,
  type Haystack,
  type Secret,
} from '../support/leaks.js';
import { launcherInEmptyDir, trackedLaunches, type LauncherRun } from '../support/launcher.js';
import { startRefstackServer, type RefstackTestServer } from '../support/refstack-server.js';
import {
  buildTempestImage,
  describeDocker,
  openrcEnv,
  requireDocker,
  userToken,
} from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

// Quotes, spaces, a backslash, regex metacharacters, interpolation syntax ($, %), unicode.
const PASSWORD = `Lëak "pw" 'q' \\ & *.+ $HOME \${x} %20 %(y)s ✓ end`;
const APP_SECRET = `app-crëd "secret" & ✓ 7f3a`;
const PASSPHRASE = `key pässphrase "x" $y 'z' ✓`;
const PASSPHRASE_VAR = 'TCUP_TEST_KEY_PASSPHRASE';
const IDENTITY = ['--guideline', '2020.06', '--capability', 'identity-*'];
/** This file's launchers: the containers watched and the leftovers are theirs alone. */
const launches = trackedLaunches();

interface Observed {
  mode: string;
  run: LauncherRun;
  inspect: string;
  containers: string[];
  resultsDir?: string;
}

/** Creates an application credential with a chosen secret for the member (Keystone API, as the user). */
async function createApplicationCredential(keystone: KeystoneTenant, secret: string): Promise<string> {
  const { token, userId } = await userToken(keystone, keystone.members[0]!);
  const created = await fetch(`${keystone.authUrl}/users/${userId}/application_credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token },
    body: JSON.stringify({ application_credential: { name: 'tcup-leak-test', secret } }),
  });
  if (created.status !== 201) throw new Error(`creating the application credential: ${created.status}`);
  return ((await created.json()) as { application_credential: { id: string } }).application_credential.id;
}

describeDocker('no secret leaks, in any mode', () => {
  let keystone: KeystoneTenant;
  let refstack: RefstackTestServer;
  let proxy: Awaited<ReturnType<typeof startTokenProxy>>;
  let dir: string;
  let launcher: string;
  let env: Record<string, string>;
  let appCredentialId: string;
  let patternsDir: string;
  const started = Date.now();
  const observed: Observed[] = [];

  const secrets = (): Secret[] => [
    { name: 'the password', value: PASSWORD },
    { name: 'the application credential secret', value: APP_SECRET },
    { name: 'the key passphrase', value: PASSPHRASE },
    ...[...proxy.tokens].map((value, i) => ({ name: `Keystone token #${i + 1}`, value })),
  ];

  /** Runs the launcher while watching the engine for tcup's containers; keeps everything for the search. */
  async function observe(
    mode: string,
    args: string[],
    options: { env?: Record<string, string>; input?: string; resultsDir?: string } = {},
  ): Promise<LauncherRun> {
    const watcher = watchTcupContainers(launches);
    const run = await launches.launch(launcher, args, {
      cwd: dir,
      env: options.env ?? env,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    const { ids, inspect } = await watcher.stop();
    observed.push({
      mode,
      run,
      inspect,
      containers: ids,
      ...(options.resultsDir ? { resultsDir: options.resultsDir } : {}),
    });
    return run;
  }

  beforeAll(async () => {
    await requireDocker();
    // The Tempest image first, so the runs below do not build it through their recording proxy.
    await buildTempestImage();
    keystone = await useKeystone({ memberPassword: PASSWORD });
    appCredentialId = await createApplicationCredential(keystone, APP_SECRET);
    ({ dir, launcher } = launcherInEmptyDir());
    proxy = await startTokenProxy();
    env = { ...openrcEnv(keystone, keystone.members[0]!), [PASSPHRASE_VAR]: PASSPHRASE };
    // An encrypted RSA key (PEM), as `ssh-keygen -m PEM -N PASS` makes it, registered with the server.
    const key = join(dir, 'signing_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PASSPHRASE, '-f', key]);
    refstack = await startRefstackServer({ anonymous: false });
    refstack.registerKey(readFileSync(`${key}.pub`, 'utf8').trim());
    writeFileSync(
      join(dir, 'accounts.yaml'),
      renderAccountsYaml(
        keystone.members.map((u) => ({
          username: u.username,
          password: u.password,
          projectName: u.project,
          domainName: 'Default',
        })),
      ),
    );
  });

  afterAll(async () => {
    if (patternsDir) rmSync(patternsDir, { recursive: true, force: true });
    await proxy?.close();
    await refstack?.close();
    await keystone?.dispose();
  });

  it('a run with a signed upload (encrypted key, passphrase from a variable) passes and uploads', async () => {
    const out = join(dir, 'run');
    const r = await observe(
      'run + upload',
      [
        ...IDENTITY,
        '-o',
        out,
        '--upload',
        '--yes',
        '--sign',
        'signing_key',
        '--key-passphrase-env',
        PASSPHRASE_VAR,
        '--refstack-url',
        refstack.url,
      ],
      { resultsDir: out },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(refstack.stored.size).toBe(1);
    expect(r.stderr).toMatch(/uploaded: /);
  });

  it('a run with an application credential (and an accounts file for Tempest) gets past Keystone', async () => {
    const out = join(dir, 'appcred');
    const {
      OS_USERNAME: _u,
      OS_PASSWORD: _p,
      OS_PROJECT_NAME: _n,
      OS_USER_DOMAIN_NAME: _d,
      OS_PROJECT_DOMAIN_NAME: _e,
      ...base
    } = env;
    const r = await observe(
      'application credential run',
      [...IDENTITY, '--accounts', 'accounts.yaml', '-o', out],
      {
        env: {
          ...base,
          OS_AUTH_TYPE: 'v3applicationcredential',
          OS_APPLICATION_CREDENTIAL_ID: appCredentialId,
          OS_APPLICATION_CREDENTIAL_SECRET: APP_SECRET,
        },
        resultsDir: out,
      },
    );
    expect(r.stderr).toMatch(/Keystone accepted all 4 accounts/);
    // The preflight used the application credential; python-tempestconf discovers the cloud as the first
    // account (it needs a user name), and Tempest runs with the accounts.
    expect(r.stderr).toMatch(/required capabilities pass/);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a run that fails inside the container (python-tempestconf cannot reach the identity service)', async () => {
    const out = join(dir, 'broken');
    const r = await observe(
      'failing run',
      [...IDENTITY, '-o', out, '--verbose', '--tempest-option', 'identity.uri_v3=http://127.0.0.1:9/v3'],
      // The launcher's Keystone calls pass the recording proxy here, so this run's token is known too
      // (the container then fails: python-tempestconf does not get through this minimal proxy).
      { resultsDir: out, env: { ...env, HTTP_PROXY: proxy.url } },
    );
    expect(proxy.tokens.size, 'the recording proxy saw the preflight token').toBeGreaterThan(0);
    expect(r.stderr).toMatch(/✖ /);
    expect(r.code).toBe(7);
  });

  it('a refused password, and the debug shell printing the secret files it has', async () => {
    const refused = await observe('wrong password', [], {
      env: { ...env, OS_PASSWORD: `${PASSWORD} (wrong)` },
    });
    expect(refused.code).toBe(4);
    const debug = await observe('debug shell', ['--debug'], {
      input: 'cat /run/tcup/ws/etc/tempest.conf /run/tcup/ws/etc/accounts.yaml; env; exit 0\n',
    });
    expect(debug.stdout, 'the shell ran and printed the accounts file').toMatch(/username: demo/);
    expect(debug.code, debug.stderr).toBe(0);
  });

  it('tcup upload DIR signs and uploads the saved run (again: the run uploaded it once already)', async () => {
    const r = await observe('tcup upload DIR', [
      'upload',
      join(dir, 'run'),
      '--sign',
      'signing_key',
      '--key-passphrase-env',
      PASSPHRASE_VAR,
      '--yes',
      '--again',
      '--refstack-url',
      refstack.url,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(refstack.stored.size).toBe(2);
  });

  it('the search itself finds a planted secret in each form (the test can fail)', () => {
    const planted = `x ${Buffer.from(`{"p": "${PASSWORD}"}`).toString('base64')} ${encodeURIComponent(PASSWORD)}`;
    expect(
      findLeaks([['planted', planted]], [{ name: 'pw', value: PASSWORD }]).length,
    ).toBeGreaterThanOrEqual(2);
    const python = JSON.stringify(PASSWORD).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(findLeaks([['planted', Buffer.from(python)]], [{ name: 'pw', value: PASSWORD }])).not.toEqual([]);
  });

  it('no secret in stdout, stderr, process arguments, results folders or what RefStack received', () => {
    expect(observed.length).toBe(6);
    const haystacks: Haystack[] = observed.flatMap((o): Haystack[] => [
      [`${o.mode}: stdout`, o.run.stdout],
      [`${o.mode}: stderr`, o.run.stderr],
      [`${o.mode}: process arguments`, o.run.argvSeen.join('\n')],
      ...(o.resultsDir
        ? folderHaystacks(o.resultsDir).map(([p, c]): Haystack => [`${o.mode}: ${p}`, c])
        : []),
    ]);
    for (const [i, r] of refstack.received.entries())
      haystacks.push([
        `RefStack request ${i}`,
        `${JSON.stringify(r.headers)}\n${r.url}\n${r.body.toString('utf8')}`,
      ]);
    expect(haystacks.length).toBeGreaterThan(20);
    expect(findLeaks(haystacks, secrets())).toEqual([]);
  });

  it("no secret in `docker inspect` of tcup's containers, taken while they lived; none is left", async () => {
    const runs = observed.filter((o) => o.mode !== 'wrong password' && o.mode !== 'tcup upload DIR');
    for (const o of runs) expect(o.containers.length, `${o.mode}: containers seen live`).toBeGreaterThan(0);
    const haystacks = runs.map((o): Haystack => [`${o.mode}: docker inspect`, o.inspect]);
    expect(findLeaks(haystacks, secrets())).toEqual([]);
    expect(await tcupLeftovers(launches, started)).toEqual([]);
  });

  it('no secret in the images: inspect, history, file system', async () => {
    const images = await tcupImages();
    expect(images.length).toBeGreaterThan(0);
    expect(findLeaks(await imageHaystacks(images), secrets())).toEqual([]);
    patternsDir = mkdtempSync(join(tmpdir(), 'tcup-leak-patterns-'));
    const forms = secrets().flatMap((s) => secretForms(s.value));
    writeFileSync(join(patternsDir, 'patterns'), forms.join('\n') + '\n');
    // The probe works: the patterns file itself, searched the same way, is found.
    expect(await imageFilesMatching(images[0]!, patternsDir, '/patterns')).toEqual(['/patterns/patterns']);
    const hits: string[] = [];
    for (const image of images)
      hits.push(...(await imageFilesMatching(image, patternsDir)).map((f) => `${image}:${f}`));
    expect(hits).toEqual([]);
  });

  it('no secret in the temp files and container logs written during the runs', () => {
    const exclude = [dir, patternsDir].filter(Boolean);
    const temp = filesChangedSince(tmpdir(), started, exclude);
    const testbed = [keystone.containerId.slice(0, 12)];
    const logs = dockerLogsSince(started, testbed);
    expect(findLeaks([...temp, ...logs], secrets())).toEqual([]);
  });
});
