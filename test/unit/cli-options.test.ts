/**
 * The command line's option checks, in this process: what tcup refuses before it reads any credential
 * (no cloud, no Docker: each case ends at its usage error).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { EXIT_CODES } from '../../src/core/errors.js';

const home = mkdtempSync(join(tmpdir(), 'tcup-cli-'));

/** `tcup ARGS` with no OS_* variables and no clouds.yaml: the exit code and stderr. */
async function tcup(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  stderr.on('data', (c: Buffer) => err.push(c));
  stdout.resume();
  const code = await main({
    argv: args,
    env: { HOME: home, ...env },
    cwd: home,
    stdin: Object.assign(Readable.from([]), { isTTY: false }) as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  });
  return { code, stderr: Buffer.concat(err).toString() };
}

describe('--target scs-0128 refuses what only an upload uses', () => {
  it.each([
    [['--upload'], '--upload is not offered for --target scs-0128: RefStack knows no such guideline'],
    [['--sign', 'key.pem'], '--sign is not offered for --target scs-0128'],
    [['--anonymous'], '--anonymous is not offered for --target scs-0128'],
    [['--yes'], '--yes is not offered for --target scs-0128'],
    [['-y'], '--yes is not offered for --target scs-0128'],
    [['--key-passphrase-env', 'KEY_PASS'], '--key-passphrase-env is not offered for --target scs-0128'],
    [['--dry-run'], '--dry-run is not offered for --target scs-0128'],
    [['--again'], '--again is not offered for --target scs-0128'],
    [['--refstack-url', 'https://refstack.example'], '--refstack-url is not offered for --target scs-0128'],
  ])('%j is a usage error (exit 2) that names it', async (extra, message) => {
    const r = await tcup(['--target', 'scs-0128', ...extra]);
    expect(r.stderr).toContain(`✖ ${message}`);
    expect(r.stderr).toMatch(/hint: .*results folder/);
    expect(r.code).toBe(EXIT_CODES.USAGE);
  });

  it('several at once: the first in the order of --help is named', async () => {
    const r = await tcup(['--target', 'scs-0128', '--yes', '--anonymous', '--key-passphrase-env', 'P']);
    expect(r.stderr).toContain('✖ --key-passphrase-env is not offered');
  });

  it('REFSTACK_URL in the environment is no --refstack-url: the run goes on (to its credentials)', async () => {
    const r = await tcup(['--target', 'scs-0128'], { REFSTACK_URL: 'https://refstack.example' });
    expect(r.stderr).toContain('✖ OS_AUTH_URL is not set');
    expect(r.code).toBe(EXIT_CODES.CREDENTIALS);
  });
});
