/**
 * The command line: argv into options, the composition root, signals, and every error turned into
 * one message, a hint and an exit code. The only module that touches process.* or exits.
 */
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODES, EXIT_INTERNAL, EXIT_OK, TcupError } from './core/errors.js';
import { createRedactor } from './redaction/redactor.js';
import { parseTempestOption } from './tempest/plan.js';
import { DEFAULT_GUIDELINE, DEFAULT_REFSTACK_URL } from './core/defaults.js';
import type { RunOptions, Deps } from './pipeline/pipeline.js';
// The pipeline and the commands are loaded when a command runs, not to print --help.
const load = {
  run: () => import('./pipeline/pipeline.js'),
  guidelines: () => import('./commands/guidelines.js'),
  sign: () => import('./commands/sign.js'),
  upload: () => import('./commands/upload.js'),
  demo: () => import('./commands/demo.js'),
  imageTag: async () => {
    const [{ loadImageFiles }, { loadDemoRecipe }, { DEMO_IMAGE_REPO }, { imageTag }] = await Promise.all([
      import('./engine/build-context.js'),
      import('./engine/demo-recipe.js'),
      import('./engine/demo-cloud.js'),
      import('./engine/image.js'),
    ]);
    return (demo: boolean) =>
      demo ? imageTag(loadDemoRecipe(), [], DEMO_IMAGE_REPO) : imageTag(loadImageFiles(), []);
  },
};

declare const __TCUP_VERSION__: string | undefined;
const VERSION = typeof __TCUP_VERSION__ === 'string' ? __TCUP_VERSION__ : '0.1.0-dev';

export interface Io {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const EXAMPLES = `
Examples:
  $ tcup demo                                           # no cloud at hand: a throwaway Keystone, tested, removed
  $ source admin-openrc.sh && tcup                      # 2020.06 platform, required tests
  $ tcup --os-cloud mycloud --guideline 2020.06 --target object --accounts accounts.yaml
  $ tcup --capability 'identity-*' --upload --sign ~/.ssh/id_rsa
  $ tcup --debug                                        # a shell in the container, tempest.conf ready

Exit codes: 0 compliant, 2 usage, 3 credentials, 4 Keystone refused or unreachable, 5 Docker not running,
6 image build failed, 7 test run failed, 8 results not saved, 9 NOT compliant, 10 upload failed,
130 interrupted (Ctrl-C), 143 terminated, 1 internal error.`;

const int = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];
const tempestOption = (value: string, previous: [string, string][] = []) => {
  const pair = parseTempestOption(value);
  if (!pair) throw new InvalidArgumentError('expected section.key=value, for example compute.flavor_ref=42');
  return [...previous, pair];
};

function uploadOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--refstack-url <url>', 'RefStack API to upload to')
        .env('REFSTACK_URL')
        .default(DEFAULT_REFSTACK_URL),
    )
    .option('--sign <key>', 'sign the upload with this RSA private key (PEM, PKCS#8 or OpenSSH)')
    .addOption(new Option('--key-passphrase-env <var>', 'read the signing key passphrase from this variable'))
    .option('--anonymous', 'upload unsigned: anyone who has the result id can read it')
    .option('-y, --yes', 'answer yes to the upload question')
    .option('--dry-run', 'write the document that would be uploaded, send nothing')
    .option('--cacert <file>', 'CA bundle for HTTPS (Keystone and RefStack)')
    .option('--insecure', 'do not verify TLS certificates');
}

export function buildProgram(io: Io, deps: Deps, exit: { code: number }): Command {
  const program = new Command('tcup')
    .description(
      'Check an OpenStack cloud against an OpenStack interop guideline with Tempest in a container, ' +
        'and (only if you agree) upload the result to a RefStack server.',
    )
    .version(VERSION)
    .showHelpAfterError('(tcup --help shows every option)')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    // Options after a subcommand are the subcommand's (`tcup demo -o DIR`, `tcup upload DIR --sign KEY`).
    .enablePositionalOptions()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors look like every other error: one ✖ line.
      outputError: (s, write) => write(s.replace(/^error: /, '✖ ')),
    });

  uploadOptions(
    program
      .addOption(
        new Option('--os-cloud <name>', 'cloud from clouds.yaml (instead of OS_* variables)').env('OS_CLOUD'),
      )
      .option('--password-stdin', 'read the password from standard input')
      .option(
        '--accounts <file>',
        'Tempest accounts file (several non-admin users; passwords asked if missing)',
      )
      .option('-g, --guideline <version|file|url>', 'interop guideline', DEFAULT_GUIDELINE)
      .addOption(
        new Option('-t, --target <target>', 'guideline target')
          .choices(['platform', 'compute', 'object', 'dns', 'orchestration'])
          .default('platform'),
      )
      .option('--type <types>', 'capability status to test: required,advisory,deprecated,removed', 'required')
      .option('--include-flagged', 'also run flagged tests')
      .option(
        '-c, --capability <pattern>',
        "only capabilities matching (glob, e.g. 'identity-*'); repeatable",
        collect,
      )
      .option('--test-list <file|url>', 'run this list instead (plain names or name[id-...] lines)')
      .option(
        '--rerun-failed <dir>',
        'run only what failed in an earlier results folder, and merge the verdict',
      )
      .option('--concurrency <n>', 'Tempest workers (default: what the accounts allow)', int('--concurrency'))
      .option('--tempest-option <section.key=value>', 'set a tempest.conf value; repeatable', tempestOption)
      .option('--network <mode>', 'container network (host: reach what this machine reaches)', 'host')
      .option('-o, --results-dir <dir>', 'where results go (default ./tcup-results/<time>)')
      .option('--upload', 'ask now whether to upload, instead of after the run'),
  )
    .option('--debug', 'start the container with tempest.conf ready and give a shell; run no tests')
    .option('-v, --verbose', 'show the container log and the image build')
    .action(async (opts: Record<string, unknown>) => {
      exit.code = await (await load.run()).runTcup(deps, toRunOptions(opts, io));
    });

  program
    .command('guidelines')
    .description('list the bundled guidelines and their targets')
    .action(async () => {
      io.stdout.write((await load.guidelines()).listGuidelinesText());
    });

  uploadOptions(
    program
      .command('upload <results>')
      .description('upload a saved run (a results folder or its refstack.json)')
      .addHelpText(
        'after',
        '\nExample:\n  $ tcup upload tcup-results/2026-11-23_194755 --sign ~/.ssh/id_rsa --yes',
      ),
  ).action(async (results: string, opts: Record<string, unknown>) => {
    exit.code = await (await load.upload()).uploadCommand(deps, results, opts);
  });

  program
    .command('demo')
    .description('no cloud needed: test a throwaway Keystone in a container, then remove it all')
    .option('-o, --results-dir <dir>', 'where results go (default ./tcup-results/<time>)')
    .option('-v, --verbose', 'show the container logs and the image builds')
    .addHelpText('after', '\nExample:\n  $ tcup demo -o demo-results')
    .action(async (opts: { resultsDir?: string; verbose?: boolean }) => {
      exit.code = await (
        await load.demo()
      ).demoCommand(deps, {
        resultsDir: opts.resultsDir,
        verbose: opts.verbose === true,
        cwd: io.cwd,
      });
    });

  // Hidden: the tag of the image this tcup builds (tests compare the single file with the checkout).
  program
    .command('image-tag', { hidden: true })
    .option('--demo', "the demo cloud's image instead of Tempest's")
    .action(async (opts: { demo?: boolean }) => {
      io.stdout.write((await load.imageTag())(opts.demo === true) + '\n');
    });

  program
    .command('sign <key>')
    .description('print the public key and the self-signature RefStack asks for when you register a key')
    .addOption(new Option('--key-passphrase-env <var>', 'read the key passphrase from this variable'))
    .action(async (key: string, opts: Record<string, unknown>) => {
      exit.code = await (await load.sign()).signCommand(deps, key, opts);
    });

  return program;
}

function toRunOptions(o: Record<string, unknown>, io: Io): RunOptions {
  const str = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  return {
    cloud: str('osCloud'),
    passwordStdin: o.passwordStdin === true,
    accountsFile: str('accounts'),
    guideline: str('guideline') ?? DEFAULT_GUIDELINE,
    target: (str('target') ?? 'platform') as RunOptions['target'],
    types: (str('type') ?? 'required').split(',').map((t) => t.trim()),
    includeFlagged: o.includeFlagged === true,
    capabilities: (o.capability as string[] | undefined) ?? [],
    testList: str('testList'),
    rerunFailed: str('rerunFailed'),
    concurrency: o.concurrency as number | undefined,
    tempestOptions: (o.tempestOption as [string, string][] | undefined) ?? [],
    network: str('network') ?? 'host',
    resultsDir: str('resultsDir'),
    cwd: io.cwd,
    debug: o.debug === true,
    verbose: o.verbose === true,
    upload: {
      url: str('refstackUrl') ?? DEFAULT_REFSTACK_URL,
      askEarly: o.upload === true,
      yes: o.yes === true,
      anonymous: o.anonymous === true,
      dryRun: o.dryRun === true,
      sign: str('sign'),
      passphraseEnv: str('keyPassphraseEnv'),
    },
    cacert: str('cacert'),
    insecure: o.insecure === true ? true : undefined,
  };
}

/** Runs tcup; resolves with the exit code. */
export async function main(io: Io): Promise<number> {
  const controller = new AbortController();
  const redactor = createRedactor();
  let signals = 0;
  const deps: Deps = {
    env: io.env,
    cwd: io.cwd,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    redactor,
    signal: controller.signal,
    now: () => Date.now(),
    onResize: (listener) => {
      io.stdout.on('resize', listener);
      return () => io.stdout.off('resize', listener);
    },
    owner: {
      host: hostname(),
      pid: process.pid,
      isAlive: (pid) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'EPERM';
        }
      },
    },
  };
  const onSignal = (name: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      io.stderr.write(
        `\n✖ ${name} again: exiting now. Left behind (find by label): docker ps -a --filter label=tcup.session\n`,
      );
      process.exit(name === 'SIGTERM' ? 143 : 130);
    }
    io.stderr.write(`\n› ${name}: stopping and removing what this run created… (again to force)\n`);
    controller.abort(
      new TcupError(name === 'SIGTERM' ? 'TERMINATED' : 'INTERRUPTED', `interrupted by ${name}`),
    );
  };
  const signalNames: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signalNames) process.on(s, onSignal);
  const exit = { code: EXIT_OK };
  try {
    await buildProgram(io, deps, exit).parseAsync(io.argv, { from: 'user' });
    return exit.code;
  } catch (error) {
    return report(error, io, redactor.redact.bind(redactor), controller.signal);
  } finally {
    for (const s of signalNames) process.off(s, onSignal);
  }
}

function report(error: unknown, io: Io, redact: (s: string) => string, signal: AbortSignal): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    return EXIT_CODES.USAGE;
  }
  let e = error;
  if (signal.aborted && !(e instanceof TcupError && (e.code === 'INTERRUPTED' || e.code === 'TERMINATED')))
    e = signal.reason instanceof TcupError ? signal.reason : new TcupError('INTERRUPTED', 'interrupted');
  if (e instanceof TcupError) {
    io.stderr.write(redact(`✖ ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`));
    return EXIT_CODES[e.code];
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(
    redact(`✖ internal error: ${message}\n  hint: re-run with NODE_DEBUG=tcup and report it\n`),
  );
  if (io.env.NODE_DEBUG?.includes('tcup') && e instanceof Error && e.stack)
    io.stderr.write(redact(e.stack) + '\n');
  return EXIT_INTERNAL;
}

/** The bin's whole job: run with this process's argv, env and streams, then exit with the code. */
export function runFromProcess(): void {
  void main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => {
    // Exit once stdout and stderr are flushed (a pipe may still hold output).
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  });
}
