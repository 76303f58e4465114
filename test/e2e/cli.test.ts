/** The single file's small commands, as README shows them: guidelines, sign, upload --dry-run, --help. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { launcherInEmptyDir, runLauncher } from '../support/launcher.js';

describe('tcup commands (single file)', () => {
  let dir: string;
  let launcher: string;
  const tcup = (args: string[], env: Record<string, string> = {}) =>
    runLauncher(launcher, args, { cwd: dir, env });

  beforeAll(() => {
    ({ dir, launcher } = launcherInEmptyDir());
  });

  it('lists the bundled guidelines with their targets and pinned Tempest', async () => {
    const r = await tcup(['guidelines']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^2020\.06\s+core\s+approved\s+platform, compute, object\s+tempest d43223773d75/m,
    );
    expect(r.stdout).toMatch(/^dns\.2020\.06\s+add-on\s+approved\s+dns/m);
    expect(r.stdout).toMatch(/^orchestration\.2020\.06\s+add-on/m);
  });

  it('documents every command, every option and the exit codes in --help', async () => {
    const r = await tcup(['--help']);
    expect(r.code).toBe(0);
    const [options, commands] = r.stdout.split(/^Commands:$/m);
    // Each option on a line of its own under Options: (not only mentioned in an example).
    for (const option of [
      '--os-cloud',
      '--all-clouds',
      '--parallel',
      '--password-stdin',
      '--accounts',
      '--guideline',
      '--target',
      '--type',
      '--include-flagged',
      '--capability',
      '--test-list',
      '--rerun-failed',
      '--concurrency',
      '--tempest-option',
      '--network',
      '--tempest',
      '--tempest-image',
      '--image',
      '--flavor',
      '--flavor-alt',
      '--fixed-network',
      '--external-network',
      '--validation',
      '--cleanup-cloud',
      '--results-dir',
      '--upload',
      '--refstack-url',
      '--sign',
      '--key-passphrase-env',
      '--anonymous',
      '--yes',
      '--dry-run',
      '--again',
      '--cacert',
      '--insecure',
      '--debug',
      '--verbose',
    ])
      expect(options).toMatch(new RegExp(`^  (-\\w, )?${option}( <[^>]+>)?  `, 'm'));
    expect(commands, 'a Commands: section').toBeDefined();
    for (const command of ['guidelines', 'upload', 'report', 'demo', 'cleanup', 'image', 'sign'])
      expect(commands).toMatch(new RegExp(`^  ${command}( \\[options\\])?( <[^>]+>)?  `, 'm'));
    for (const words of ['Examples:', 'Exit codes', '--target scs-0128', 'TENTATIVE'])
      expect(r.stdout).toContain(words);
    expect(r.stdout).not.toContain('image-tag');
  });

  it.each([
    [['report'], ['-o, --output <file>', '--all']],
    [['cleanup'], ['--dry-run', '--images', '--all']],
    [['image'], ['save [options] <file>', 'load [options] <file>']],
    [['upload'], ['--sign <key>', '--anonymous', '--dry-run', '--again']],
  ])('documents what %j takes in its --help', async (command, entries) => {
    const r = await tcup([...command, '--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const entry of entries)
      expect(r.stdout).toMatch(new RegExp(`^  ${entry.replace(/[[\]]/g, '\\$&')}  `, 'm'));
  });

  it('prints the public key and self-signature for a RefStack profile', async () => {
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
    const r = await tcup(['sign', 'key', '--key-passphrase-env', 'KEY_PASS'], { KEY_PASS: 'pass phrase' });
    expect(r.code, r.stderr).toBe(0);
    const pub = readFileSync(join(dir, 'key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    expect(r.stdout).toContain(pub);
    expect(r.stdout).toMatch(/Self-signature \(over the bytes "signature"\):\n[0-9a-f]{512}\n/);
    expect(r.stdout + r.stderr).not.toContain('pass phrase');
  });

  it('writes what an upload would send, and sends nothing, with --dry-run', async () => {
    const results = join(dir, 'results');
    mkdirSync(results);
    const doc = {
      cpid: 'abc',
      duration_seconds: 3,
      results: [{ name: 'tempest.api.x.Y.test_z', uuid: '8879a470-abfb-47bb-bb8d-5a7fd279ad1e' }],
    };
    writeFileSync(join(results, 'refstack.json'), JSON.stringify(doc));
    const r = await tcup(['upload', 'results', '--dry-run', '--refstack-url', 'http://127.0.0.1:9/api']);
    expect(r.code, r.stderr).toBe(0);
    const preview = JSON.parse(readFileSync(join(results, 'upload-preview.json'), 'utf8')) as {
      url: string;
      body: unknown;
    };
    expect(preview).toMatchObject({ url: 'http://127.0.0.1:9/api/v1/results/', body: doc });
  });
});
