/**
 * Bad input is refused at once, with one clear sentence and the documented code, before tcup talks to
 * the cloud or to Docker: the environment names a Keystone nobody listens on and a Docker socket that
 * does not exist, so reaching either would end in exit 4 or 5 instead.
 *
 * Codes: a wrong option, guideline or test list is a usage error (2); a wrong cloud configuration
 * (clouds.yaml without the cloud, OS_AUTH_URL without a scheme) is a credentials error (3), as the exit
 * code table documents ("3 credentials"), with the same one-sentence message and hint.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/faults.js';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';

describe('bad input: refused fast, before the cloud or Docker', () => {
  let dir: string;
  let launcher: string;
  let env: Record<string, string>;
  let html: Server;
  let htmlUrl: string;

  beforeAll(async () => {
    ({ dir, launcher } = launcherInEmptyDir());
    env = {
      OS_AUTH_URL: `http://127.0.0.1:${await closedPort()}/v3`,
      OS_USERNAME: 'demo',
      OS_PASSWORD: 'demo-password',
      OS_PROJECT_NAME: 'demo',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      DOCKER_HOST: 'unix:///nonexistent.sock',
    };
    html = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>\n');
    });
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}/list.txt`;
    writeFileSync(join(dir, 'bad-guideline.json'), '{ "schema": "2.0", "capabilities": { ');
    writeFileSync(join(dir, 'empty-list.txt'), '\n\n');
    // A signing key with a passphrase: without a terminal, reading it would stop at the passphrase.
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'rsa',
      '-b',
      '2048',
      '-N',
      'pass phrase',
      '-f',
      join(dir, 'key'),
    ]);
    mkdirSync(join(dir, 'config'));
    writeFileSync(
      join(dir, 'clouds.yaml'),
      'clouds:\n  devstack:\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n      username: demo\n',
    );
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => html?.close(() => resolve()));
  });

  const tcup = async (args: string[], extra: Record<string, string | undefined> = {}) => {
    const started = Date.now();
    const merged = Object.fromEntries(
      Object.entries({ ...env, ...extra }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const r = await runLauncher(launcher, args, { cwd: dir, env: merged, timeoutMs: 30_000 });
    return { ...r, ms: Date.now() - started };
  };

  /** The code, one `✖` sentence matching `message`, no stack, nothing slow started, within seconds. */
  function expectRefused(r: LauncherRun & { ms: number }, code: number, message: RegExp): void {
    expect(r.code, r.stderr).toBe(code);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('✖'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/Keystone|preparing the Tempest/);
    expect(r.ms).toBeLessThan(10_000);
  }

  it('a guideline file that is not valid JSON: exit 2', async () => {
    expectRefused(
      await tcup(['--guideline', 'bad-guideline.json']),
      2,
      /✖ bad-guideline\.json is not a usable interop guideline/,
    );
  });

  it('an unknown guideline version: exit 2, the bundled ones listed', async () => {
    const r = await tcup(['--guideline', '1999.01']);
    expectRefused(r, 2, /✖ unknown guideline version "1999\.01"; bundled: .*2020\.06/);
  });

  it('an unknown target: exit 2, the choices listed (commander)', async () => {
    const r = await tcup(['--target', 'spaceship']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /argument 'spaceship' is invalid\. Allowed choices are platform, compute, object/,
    );
    expect(r.stderr).toMatch(/tcup --help shows every option/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('an empty test list: exit 2', async () => {
    expectRefused(
      await tcup(['--test-list', 'empty-list.txt']),
      2,
      /✖ empty-list\.txt is not a test list: it holds no test names/,
    );
  });

  it('a test list URL that answers HTML (a login page): exit 2', async () => {
    expectRefused(await tcup(['--test-list', htmlUrl]), 2, /✖ .*list\.txt is not a test list/);
  });

  it('a missing test list file: exit 2', async () => {
    expectRefused(
      await tcup(['--test-list', 'nope.txt']),
      2,
      /✖ cannot read the test list nope\.txt: ENOENT/,
    );
  });

  it('an unknown --type: exit 2', async () => {
    expectRefused(await tcup(['--type', 'required,optional']), 2, /✖ unknown --type .*valid: required/);
  });

  it('option values commander checks: --concurrency 0 and a malformed --tempest-option: exit 2', async () => {
    for (const args of [
      ['--concurrency', '0'],
      ['--tempest-option', 'no-equals-sign'],
    ]) {
      const r = await tcup(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^✖ option .* (must be a positive integer|expected section\.key=value)/m);
    }
  });

  it('clouds.yaml without the named cloud: exit 3 (credentials), the clouds there named', async () => {
    const r = await tcup(['--os-cloud', 'production'], { OS_AUTH_URL: undefined });
    expectRefused(r, 3, /✖ cloud "production" is not in .*clouds\.yaml/);
    expect(r.stderr).toMatch(/hint: clouds there: devstack/);
  });

  it('OS_AUTH_URL without a scheme: exit 3 (credentials), an example in the hint', async () => {
    const r = await tcup([], { OS_AUTH_URL: 'keystone.example.com:5000/v3' });
    expectRefused(r, 3, /✖ OS_AUTH_URL/);
    expect(r.stderr).toMatch(/hint: .*https:\/\/keystone\.example\.com:5000\/v3/);
  });

  it.each([
    [['--upload'], /✖ --upload is not offered for --target scs-0128: RefStack knows no such guideline/],
    [
      ['--sign', 'key'],
      /✖ --sign is not offered for --target scs-0128: nothing is uploaded, so there is nothing to sign/,
    ],
    [
      ['--sign', 'key', '--key-passphrase-env', 'KEY_PASS'],
      /✖ --sign is not offered for --target scs-0128: nothing is uploaded/,
    ],
  ])('--target scs-0128 with %j (nothing is uploaded for a standard): exit 2', async (args, message) => {
    const r = await tcup(['--target', 'scs-0128', ...args], { KEY_PASS: 'pass phrase' });
    expectRefused(r, 2, message);
    // Refused before the key is read: no passphrase asked for or checked.
    expect(r.stderr).not.toMatch(/terminal|passphrase (is|was)|cannot decrypt/i);
    expect(r.stderr).toMatch(/hint: .*drop --(upload|sign)/);
  });

  it('tcup upload of a folder without results: exit 2', async () => {
    expectRefused(
      await tcup(['upload', 'config', '--anonymous', '--yes']),
      2,
      /✖ cannot read .*refstack\.json/,
    );
  });
});
