/**
 * The command line's option checks, in this process: what tcup refuses before it reads any credential
 * (no cloud, no Docker: each case ends at its usage error).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  buildProgram,
  main,
  toRunOptions,
  toUploadChoice,
  type Io,
  type RunFlags,
  type UploadFlags,
} from '../../src/cli.js';
import { demoRun } from '../../src/commands/demo.js';
import { DEFAULT_GUIDELINE, DEFAULT_REFSTACK_URL } from '../../src/core/defaults.js';
import type { Deps } from '../../src/pipeline/options.js';
import { describeVariants } from '../../src/tempest/variant.js';
import { EXIT_CODES } from '../../src/core/errors.js';

const home = mkdtempSync(join(tmpdir(), 'tcup-cli-'));
afterEach(() => vi.unstubAllEnvs());

/** `tcup ARGS` with no OS_* variables and no clouds.yaml: the exit code and stderr. */
async function tcup(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  const out: Buffer[] = [];
  stderr.on('data', (c: Buffer) => err.push(c));
  stdout.on('data', (c: Buffer) => out.push(c));
  const code = await main({
    argv: args,
    env: { HOME: home, ...env },
    cwd: home,
    stdin: Object.assign(Readable.from([]), { isTTY: false }) as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  });
  return { code, stderr: Buffer.concat(err).toString(), stdout: Buffer.concat(out).toString() };
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
    // commander reads option variables from process.env, not from the env main() is given.
    vi.stubEnv('REFSTACK_URL', 'https://refstack.example');
    const r = await tcup(['--target', 'scs-0128'], { REFSTACK_URL: 'https://refstack.example' });
    expect(r.stderr).toContain('✖ OS_AUTH_URL is not set');
    expect(r.code).toBe(EXIT_CODES.CREDENTIALS);
  });
});

describe('the run options, as data (argv parsed, nothing run)', () => {
  /** The RunOptions of `tcup ARGS`: the main command's action replaced by one that keeps its flags. */
  async function runOptions(args: string[]) {
    for (const name of ['OS_CLOUD', 'REFSTACK_URL', 'TCUP_TEMPEST']) vi.stubEnv(name, undefined);
    const io = { argv: args, env: {}, cwd: home } as unknown as Io;
    const program = buildProgram(io, {} as Deps, { code: 0 });
    let flags: RunFlags | undefined;
    program.action((opts: RunFlags) => {
      flags = opts;
    });
    await program.parseAsync(args, { from: 'user' });
    return toRunOptions(flags!, io);
  }

  it('without flags: the defaults --help shows', async () => {
    expect(await runOptions([])).toMatchObject({
      guideline: DEFAULT_GUIDELINE,
      target: 'platform',
      types: ['required'],
      network: 'host',
      capabilities: [],
      tempestOptions: [],
      passwordStdin: false,
      cwd: home,
      upload: { url: DEFAULT_REFSTACK_URL, askEarly: false, yes: false, anonymous: false, dryRun: false },
    });
  });

  it('each flag in its field', async () => {
    const o = await runOptions([
      ...['--os-cloud', 'lab', '--accounts', 'a.yaml', '--type', 'required, advisory', '-t', 'object'],
      ...['-c', 'objectstore-*', '-c', 'identity-*', '--concurrency', '3', '--network', 'bridge'],
      ...['--tempest-option', 'compute.flavor_ref=42', '--flavor', 'm1.small', '--validation'],
      ...[
        '--upload',
        '--sign',
        'key.pem',
        '--key-passphrase-env',
        'PASS',
        '-y',
        '--insecure',
        '--cacert',
        'ca.pem',
      ],
    ]);
    expect(o).toMatchObject({
      cloud: 'lab',
      accountsFile: 'a.yaml',
      target: 'object',
      types: ['required', 'advisory'],
      capabilities: ['objectstore-*', 'identity-*'],
      concurrency: 3,
      network: 'bridge',
      tempestOptions: [['compute.flavor_ref', '42']],
      compute: { flavor: 'm1.small', validation: true, cleanupCloud: false },
      upload: { askEarly: true, sign: 'key.pem', passphraseEnv: 'PASS', yes: true, anonymous: false },
      insecure: true,
      cacert: 'ca.pem',
    });
  });

  it('tcup upload reads its flags into the UploadChoice a run makes of them (asking at once)', async () => {
    const flags = ['--sign', 'key.pem', '--key-passphrase-env', 'PASS', '-y', '--dry-run', '--again'];
    const run = await runOptions(flags);
    const io = { argv: [], env: {}, cwd: home } as unknown as Io;
    const program = buildProgram(io, {} as Deps, { code: 0 });
    let upload: UploadFlags | undefined;
    program.commands
      .find((c) => c.name() === 'upload')!
      .action((_results: string, opts: UploadFlags) => {
        upload = opts;
      });
    await program.parseAsync(['upload', 'results', ...flags, '--refstack-url', 'https://r.example/api'], {
      from: 'user',
    });
    expect(toUploadChoice(upload!, true)).toEqual({
      ...run.upload,
      url: 'https://r.example/api',
      askEarly: true,
    });
    expect(run.upload).toMatchObject({ dryRun: true, again: true, yes: true, sign: 'key.pem' });
  });

  it('tcup demo runs with the defaults the command line has', async () => {
    const run = await runOptions([]);
    const demo = demoRun({ verbose: false, cwd: home }, [], 'session');
    for (const key of ['guideline', 'target', 'types', 'network'] as const)
      expect(demo[key]).toEqual(run[key]);
    expect(demo.upload.url).toBe(run.upload.url);
    expect(demo).toMatchObject({ capabilities: ['identity-*'], upload: { dryRun: true } });
  });
});

describe('which Tempest: 47, 43 or 33', () => {
  it.each(['47', '43', '33'])('--tempest %s is taken', async (id) => {
    for (const name of ['OS_CLOUD', 'REFSTACK_URL', 'TCUP_TEMPEST']) vi.stubEnv(name, undefined);
    const io = { argv: [], env: {}, cwd: home } as unknown as Io;
    const program = buildProgram(io, {} as Deps, { code: 0 });
    let flags: RunFlags | undefined;
    program.action((opts: RunFlags) => {
      flags = opts;
    });
    await program.parseAsync(['--tempest', id], { from: 'user' });
    expect(toRunOptions(flags!, io).tempest).toBe(id);
  });

  it.each([[['--tempest', '46']], [['image', 'save', 'f.tar', '--tempest', '46']]])(
    '%j is a usage error that lists the three',
    async (args) => {
      const r = await tcup(args);
      expect(r.code).toBe(EXIT_CODES.USAGE);
      expect(r.stderr).toContain('Allowed choices are 47, 43, 33');
    },
  );

  it('--help says what each is and that the newest that supports the cloud is the default', async () => {
    const r = await tcup(['--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      'Tempest 47 (Debian testing, OpenStack 2025.1-2026.2), 43 (Debian 13, 2023.2-2025.1) or 33 (Debian 12, Xena-Zed); default: the newest that supports the cloud',
    );
  });

  it('image save --help: the newest, 47, by default', async () => {
    const r = await tcup(['image', 'save', '--help']);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('which Tempest (default: the newest, 47)');
    expect(help).toContain('"47", "43", "33"');
  });

  it('--version: the version, then one line per variant with its backports', async () => {
    const r = await tcup(['--version']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d+\.\d+\.\d+/);
    expect(lines.slice(1)).toEqual(describeVariants());
    expect(lines[1]).toMatch(/^Tempest 47 \(Debian testing\): .*tcup's patches: /);
  });
});
