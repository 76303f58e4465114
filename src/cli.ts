/**
 * The command line: argv into options, the composition root, signals, and every error turned into
 * one message, a hint and an exit code. The only module that touches process.* or exits.
 */
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_CODES, EXIT_INTERNAL, EXIT_OK, SIGNAL_ERRORS, STOP_CODES, TcupError } from './core/errors.js';
import { debug, debugEnabled, redactDebugWith } from './core/log.js';
import { createRedactor } from './redaction/redactor.js';
import { parseTempestOption } from './tempest/plan.js';
import { RUN_DEFAULTS as DEFAULTS } from './core/defaults.js';
import { isStandardTarget, RUN_TARGETS } from './guidelines/model.js';
import type { Deps, RunOptions, UploadChoice } from './pipeline/options.js';
import { DEFAULT_PARALLEL, isSeveralClouds, singleAccountsFile } from './pipeline/clouds-choice.js';
// The pipeline and the commands are loaded when a command runs, not to print --help.
const load = {
  run: () => import('./pipeline/pipeline.js'),
  clouds: () => import('./pipeline/clouds.js'),
  guidelines: () => import('./commands/guidelines.js'),
  sign: () => import('./commands/sign.js'),
  upload: () => import('./commands/upload.js'),
  report: () => import('./commands/report.js'),
  demo: () => import('./commands/demo.js'),
  cleanup: () => import('./commands/cleanup.js'),
  image: () => import('./commands/image.js'),
  imageTag: async () => {
    const [{ loadImageFiles }, { loadDemoRecipe }, { DEMO_IMAGE_REPO }, { imageTag, IMAGE_REPO }, variants] =
      await Promise.all([
        import('./engine/build-context.js'),
        import('./engine/demo-recipe.js'),
        import('./engine/demo-cloud.js'),
        import('./engine/image.js'),
        import('./tempest/variant.js'),
      ]);
    return (demo: boolean, tempest?: string) => {
      if (demo) return imageTag(loadDemoRecipe(), [], DEMO_IMAGE_REPO);
      const o = variants.tempestImageOptions(variants.variantById(tempest ?? '') ?? variants.NEWEST, []);
      return imageTag(loadImageFiles(), o.plugins, IMAGE_REPO, o.args);
    };
  },
};

/** --tempest's values, newest first (src/tempest/variant.ts VARIANT_IDS; not imported, to keep --help light). */
const TEMPEST_CHOICES = ['47', '43', '33'] as const satisfies readonly NonNullable<RunOptions['tempest']>[];

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
  $ tcup --target scs-0128 --accounts accounts.yaml     # SCS-0128, successor of "Powered Compute"
  $ tcup --all-clouds --target object --accounts a=a.yaml --accounts b=b.yaml   # clouds a, b side by side
  $ tcup --debug                                        # a shell in the container, tempest.conf ready
  $ tcup cleanup --dry-run                              # what a killed tcup left on the engine

Exit codes: 0 compliant, 2 usage, 3 credentials, 4 Keystone refused or unreachable,
5 no container engine (Docker or Podman), 6 image build failed, 7 test run failed, 8 results not saved,
9 NOT compliant, 10 upload failed, 129 hangup, 130 interrupted (Ctrl-C), 141 output closed, 143 terminated, 1 internal error.
--target scs-0128: 0 when no listed test failed, also for a TENTATIVE pass (listed tests without a result;
summary.json says "result": "tentative"), 9 when one failed; no --guideline, no RefStack upload.
Several clouds (--os-cloud repeated, --all-clouds): passwords asked first, one cloud after the other; each
cloud in its own container and folder under one (DIR/CLOUD/, DIR/comparison.html); nothing uploaded (later:
tcup upload DIR/CLOUD); the exit code is the worst: 130/143/129/141, 1, then 2-8 (lowest), 10, 9, 0.`;

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

/** The options of an upload (the run's and `tcup upload`'s) as commander hands them over. */
export interface UploadFlags {
  refstackUrl: string;
  sign?: string | undefined;
  keyPassphraseEnv?: string | undefined;
  anonymous?: boolean | undefined;
  yes?: boolean | undefined;
  dryRun?: boolean | undefined;
  again?: boolean | undefined;
  cacert?: string | undefined;
  insecure?: boolean | undefined;
}

/** The main command's options as commander hands them over: one field per flag. */
export interface RunFlags extends UploadFlags {
  osCloud?: string[] | undefined;
  allClouds?: boolean | undefined;
  parallel?: number | undefined;
  passwordStdin?: boolean | undefined;
  accounts?: string[] | undefined;
  guideline: string;
  target: RunOptions['target'];
  type: string;
  includeFlagged?: boolean | undefined;
  capability?: string[] | undefined;
  testList?: string | undefined;
  rerunFailed?: string | undefined;
  concurrency?: number | undefined;
  tempestOption?: [string, string][] | undefined;
  network: string;
  tempest?: RunOptions['tempest'];
  tempestImage?: string | undefined;
  image?: string | undefined;
  flavor?: string | undefined;
  flavorAlt?: string | undefined;
  fixedNetwork?: string | undefined;
  externalNetwork?: string | undefined;
  validation?: boolean | undefined;
  cleanupCloud?: boolean | undefined;
  resultsDir?: string | undefined;
  upload?: boolean | undefined;
  debug?: boolean | undefined;
  verbose?: boolean | undefined;
}

/** The defaults of the run's options (src/core/defaults.ts): commander applies them, --help shows them. */
const RUN_DEFAULTS = DEFAULTS satisfies Partial<RunFlags>;

function uploadOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--refstack-url <url>', 'RefStack API to upload to')
        .env('REFSTACK_URL')
        .default(RUN_DEFAULTS.refstackUrl),
    )
    .option('--sign <key>', 'sign the upload with this RSA private key (PEM, PKCS#8 or OpenSSH)')
    .addOption(new Option('--key-passphrase-env <var>', 'read the signing key passphrase from this variable'))
    .option('--anonymous', 'upload unsigned: anyone who has the result id can read it')
    .option('-y, --yes', 'answer yes to the upload question')
    .option('--dry-run', 'write the document that would be uploaded, send nothing')
    .option(
      '--again',
      'upload results that their folder records as uploaded already (a second run on the server)',
    )
    .option('--cacert <file>', 'CA bundle for HTTPS (Keystone and RefStack)')
    .option('--insecure', 'do not verify TLS certificates');
}

/** The options only an upload uses, as --help lists them: a standard's run (scs-0128) uploads nothing. */
const UPLOAD_ONLY: readonly [key: string, flag: string][] = [
  ['refstackUrl', '--refstack-url'],
  ['sign', '--sign'],
  ['keyPassphraseEnv', '--key-passphrase-env'],
  ['anonymous', '--anonymous'],
  ['yes', '--yes'],
  ['dryRun', '--dry-run'],
  ['again', '--again'],
  ['upload', '--upload'],
];

/**
 * Refuses an upload option given with a standard target (before a key is read or a passphrase asked
 * for). Only what the command line says: REFSTACK_URL in the environment is no request.
 */
function refuseUploadOptions(target: string, sourceOf: (key: string) => string | undefined): void {
  const given = UPLOAD_ONLY.find(([key]) => sourceOf(key) === 'cli');
  if (!given) return;
  const flag = given[1];
  const [message, hint] =
    flag === '--upload'
      ? ['RefStack knows no such guideline', 'the results stay in the results folder; drop --upload']
      : flag === '--sign'
        ? [
            'nothing is uploaded, so there is nothing to sign',
            'drop --sign (and --key-passphrase-env); the results stay in the results folder',
          ]
        : [
            `nothing is uploaded, so ${flag} would do nothing`,
            `drop ${flag}; the results stay in the results folder`,
          ];
  throw new TcupError('USAGE', `${flag} is not offered for --target ${target}: ${message}`, hint);
}

/**
 * What `--version` prints: the version, then one line per Tempest variant with the patches its image
 * carries (src/tempest/variant.ts reads the recipe: loaded only when --version is asked for).
 */
async function versionText(argv: readonly string[]): Promise<string> {
  if (!argv.some((a) => a === '--version' || a === '-V')) return VERSION;
  return [VERSION, ...(await import('./tempest/variant.js')).describeVariants()].join('\n');
}

export function buildProgram(io: Io, deps: Deps, exit: { code: number }, version: string = VERSION): Command {
  const program = new Command('tcup')
    .description(
      'Check an OpenStack cloud against an OpenStack interop guideline with Tempest in a container, ' +
        'and (only if you agree) upload the result to a RefStack server.',
    )
    .version(version)
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
        new Option(
          '--os-cloud <name>',
          'cloud from clouds.yaml (instead of OS_* variables); repeatable: several clouds, each in its own container',
        )
          .env('OS_CLOUD')
          .argParser(collect),
      )
      .option('--all-clouds', 'run every cloud of clouds.yaml (as --os-cloud once for each)')
      .option(
        '--parallel <n>',
        `several clouds: at most this many at a time (default ${DEFAULT_PARALLEL})`,
        int('--parallel'),
      )
      .option(
        '--password-stdin',
        "read the OS_* / clouds.yaml user's password from standard input (accounts of --accounts: password: in the file)",
      )
      .option(
        '--accounts <[cloud=]file>',
        'Tempest accounts file (several non-admin users; passwords asked if missing); several clouds: CLOUD=FILE, once per cloud',
        collect,
      )
      .option('-g, --guideline <version|file|url>', 'interop guideline', RUN_DEFAULTS.guideline)
      .addOption(
        new Option('-t, --target <target>', "guideline target, or scs-0128 (SCS's list, no --guideline)")
          .choices(RUN_TARGETS)
          .default(RUN_DEFAULTS.target),
      )
      .option(
        '--type <types>',
        'capability status to test: required,advisory,deprecated,removed',
        RUN_DEFAULTS.type,
      )
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
      .option(
        '--network <mode>',
        'container network (host: reach what this machine reaches)',
        RUN_DEFAULTS.network,
      )
      .addOption(
        new Option(
          '--tempest <version>',
          'Tempest 47 (Debian testing, OpenStack 2025.1-2026.2), 43 (Debian 13, 2023.2-2025.1) or 33 (Debian 12, Xena-Zed); default: the newest that supports the cloud',
        )
          .choices(TEMPEST_CHOICES)
          .env('TCUP_TEMPEST'),
      )
      .option(
        '--tempest-image <ref>',
        'use this tcup image already on the engine (e.g. pulled from your registry; its labels are checked): build nothing',
      )
      .option('--image <name|id|file>', 'compute: image to boot (a file: uploaded for the run, then deleted)')
      .option('--flavor <name|id>', 'compute: flavor_ref (default: the smallest that fits the image)')
      .option('--flavor-alt <name|id>', 'compute: flavor_ref_alt (default: the next smallest)')
      .option('--fixed-network <name>', "compute: the project network the tests' servers use")
      .option('--external-network <name|id>', 'compute: the external network (floating IPs, router gateways)')
      .option('--validation', 'compute: also run the tests that log into a guest over SSH (floating IPs)')
      .option('--cleanup-cloud', 'delete what the run left in the test projects (never what was there)')
      .option('-o, --results-dir <dir>', 'where results go (default ./tcup-results/<time>)')
      .option('--upload', 'ask now whether to upload, instead of after the run'),
  )
    .option('--debug', 'start the container with tempest.conf ready and give a shell; run no tests')
    .option('-v, --verbose', 'show the container log and the image build')
    .action(async (opts: RunFlags) => {
      const target = opts.target;
      if (isStandardTarget(target) && program.getOptionValueSource('guideline') === 'cli')
        throw new TcupError(
          'USAGE',
          `--guideline does not apply to --target ${target}: it is a standard of its own, not a target of an interop guideline`,
          `drop --guideline (tcup guidelines lists ${target} with its source and rule)`,
        );
      if (isStandardTarget(target)) refuseUploadOptions(target, (key) => program.getOptionValueSource(key));
      const clouds = opts.osCloud ?? [];
      const several = { clouds, allClouds: opts.allClouds === true };
      if (isSeveralClouds(several)) {
        exit.code = await (
          await load.clouds()
        ).runClouds(deps, toRunOptions({ ...opts, osCloud: undefined, accounts: undefined }, io), {
          ...several,
          cloudsFromEnv: program.getOptionValueSource('osCloud') === 'env',
          accounts: opts.accounts ?? [],
          parallel: opts.parallel,
        });
        return;
      }
      exit.code = await (await load.run()).runTcup(deps, toRunOptions(opts, io));
    });

  program
    .command('guidelines')
    .description('list the bundled guidelines, their targets, and the standards (scs-0128)')
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
  ).action(async (results: string, opts: UploadFlags) => {
    exit.code = await (
      await load.upload()
    ).uploadCommand(deps, results, {
      // The command itself says the user wants to upload.
      upload: toUploadChoice(opts, true),
      cacert: opts.cacert,
      insecure: opts.insecure === true,
    });
  });

  program
    .command('report <results...>')
    .description(
      'write report.html again from a results folder; with several folders, compare them (HTML and a table)',
    )
    .option('-o, --output <file>', 'where the HTML goes (default DIR/report.html, or ./tcup-comparison.html)')
    .option('--all', 'in the table, also list the tests with the same result in every run')
    .addHelpText(
      'after',
      '\nEach folder is compared with the one before it: "newly failing" passed there and does not pass here.\n' +
        'Examples:\n  $ tcup report tcup-results/2026-11-23_194755\n' +
        '  $ tcup report tcup-results/monday tcup-results/tuesday -o week.html',
    )
    .action(async (results: string[], opts: { output?: string; all?: boolean }) => {
      exit.code = (await load.report()).reportCommand(deps, results, opts);
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

  program
    .command('cleanup')
    .description(
      'remove what tcup left on the container engine (containers, networks, volumes of runs that died)',
    )
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--images', 'also remove tcup images other than the ones this version builds')
    .option('--all', 'also what this host cannot tell is abandoned (another host, no session label)')
    .addHelpText('after', '\nExample:\n  $ tcup cleanup --dry-run --images')
    .action(async (opts: { dryRun?: boolean; images?: boolean; all?: boolean }) => {
      exit.code = await (
        await load.cleanup()
      ).cleanupCommand(deps, {
        dryRun: opts.dryRun === true,
        images: opts.images === true,
        all: opts.all === true,
      });
    });

  const image = program
    .command('image')
    .description('the Tempest image as one file, for a host that reaches the cloud but no package mirror');
  image
    .command('save <file>')
    .description('build (if needed) and write the Tempest image to one tar file')
    .addOption(
      new Option('--tempest <version>', 'which Tempest (default: the newest, 47)').choices(TEMPEST_CHOICES),
    )
    .addOption(
      new Option('-t, --target <target>', 'include the Tempest plugins of this add-on target').choices([
        'dns',
        'orchestration',
      ]),
    )
    .option('-v, --verbose', 'show the image build')
    .addHelpText(
      'after',
      '\nExample:\n  $ tcup image save tcup-tempest-43.tar && scp tcup-tempest-43.tar offline-host:',
    )
    .action(
      async (file: string, opts: { tempest?: RunOptions['tempest']; target?: string; verbose?: boolean }) => {
        exit.code = await (
          await load.image()
        ).imageSaveCommand(deps, file, {
          tempest: opts.tempest,
          target: opts.target,
          verbose: opts.verbose === true,
          cwd: io.cwd,
        });
      },
    );
  image
    .command('load <file>')
    .description(
      'load a file written by `tcup image save` (refused unless it is a tcup image this tcup builds)',
    )
    .option('-v, --verbose', "show the engine's answer")
    .addHelpText(
      'after',
      '\nExample:\n  $ tcup image load tcup-tempest-43.tar && tcup --accounts accounts.yaml',
    )
    .action(async (file: string, opts: { verbose?: boolean }) => {
      exit.code = await (
        await load.image()
      ).imageLoadCommand(deps, file, { verbose: opts.verbose === true, cwd: io.cwd });
    });

  // Hidden: the tag of the image this tcup builds (tests compare the single file with the checkout).
  program
    .command('image-tag', { hidden: true })
    .option('--demo', "the demo cloud's image instead of Tempest's")
    .option('--tempest <version>', 'the Tempest variant (default: the newest)')
    .action(async (opts: { demo?: boolean; tempest?: string }) => {
      io.stdout.write((await load.imageTag())(opts.demo === true, opts.tempest) + '\n');
    });

  program
    .command('sign <key>')
    .description('print the public key and the self-signature RefStack asks for when you register a key')
    .addOption(new Option('--key-passphrase-env <var>', 'read the key passphrase from this variable'))
    .action(async (key: string, opts: { keyPassphraseEnv?: string }) => {
      exit.code = await (await load.sign()).signCommand(deps, key, { passphraseEnv: opts.keyPassphraseEnv });
    });

  return program;
}

/** The run's options from the flags (commander has applied RUN_DEFAULTS). */
export function toRunOptions(o: RunFlags, io: Pick<Io, 'cwd'>): RunOptions {
  return {
    cloud: o.osCloud?.[0],
    passwordStdin: o.passwordStdin === true,
    accountsFile: singleAccountsFile(o.accounts ?? [], o.osCloud?.[0]),
    guideline: o.guideline,
    target: o.target,
    types: o.type.split(',').map((t) => t.trim()),
    includeFlagged: o.includeFlagged === true,
    capabilities: o.capability ?? [],
    testList: o.testList,
    rerunFailed: o.rerunFailed,
    concurrency: o.concurrency,
    tempestOptions: o.tempestOption ?? [],
    network: o.network,
    compute: {
      image: o.image,
      flavor: o.flavor,
      flavorAlt: o.flavorAlt,
      fixedNetwork: o.fixedNetwork,
      externalNetwork: o.externalNetwork,
      validation: o.validation === true,
      cleanupCloud: o.cleanupCloud === true,
    },
    resultsDir: o.resultsDir,
    cwd: io.cwd,
    debug: o.debug === true,
    verbose: o.verbose === true,
    upload: toUploadChoice(o, o.upload === true),
    cacert: o.cacert,
    insecure: o.insecure === true ? true : undefined,
    tempest: o.tempest,
    tempestImage: o.tempestImage,
  };
}

/** What to upload and how, from the flags of a run or of `tcup upload`; askEarly: ask before the run. */
export function toUploadChoice(o: UploadFlags, askEarly: boolean): UploadChoice {
  return {
    url: o.refstackUrl,
    askEarly,
    yes: o.yes === true,
    anonymous: o.anonymous === true,
    dryRun: o.dryRun === true,
    sign: o.sign,
    passphraseEnv: o.keyPassphraseEnv,
    again: o.again === true,
  };
}

/** Runs tcup; resolves with the exit code. */
export async function main(io: Io): Promise<number> {
  const controller = new AbortController();
  const redactor = createRedactor();
  redactDebugWith((text) => redactor.redact(text));
  debug('tcup %s, node %s, argv %j', VERSION, process.version, io.argv);
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
    // The collaborators: the real ones here only (tests pass stand-ins); loaded when a run needs them.
    engine: async (env) => (await import('./engine/docker.js')).createEngine(env),
    http: async (options) => (await import('./core/http.js')).createHttpClient(options),
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
  const onSignal = (name: keyof typeof SIGNAL_ERRORS) => {
    signals += 1;
    const code = SIGNAL_ERRORS[name];
    debug('signal %s (%d)', name, signals);
    if (signals > 1) {
      io.stderr.write(
        `\n✖ ${name} again: exiting now. Left behind (find by label): docker ps -a --filter label=tcup.session; \`tcup cleanup\` removes it\n`,
      );
      process.exit(EXIT_CODES[code]);
    }
    io.stderr.write(`\n› ${name}: stopping and removing what this run created… (again to force)\n`);
    controller.abort(new TcupError(code, `interrupted by ${name}`));
  };
  // A reader that went away (`tcup --help | head -1`): stop like a signal, cleaning up, and write no more.
  const onOutputError = (error: NodeJS.ErrnoException) => {
    debug('output closed: %s', error.code ?? error.message);
    if (!controller.signal.aborted)
      controller.abort(new TcupError('OUTPUT_CLOSED', `the output was closed (${error.code ?? 'error'})`));
  };
  const signalNames = Object.keys(SIGNAL_ERRORS) as (keyof typeof SIGNAL_ERRORS)[];
  for (const s of signalNames) process.on(s, onSignal);
  for (const stream of [io.stdout, io.stderr]) stream.on('error', onOutputError);
  const exit = { code: EXIT_OK };
  try {
    await buildProgram(io, deps, exit, await versionText(io.argv)).parseAsync(io.argv, { from: 'user' });
    debug('exit %d', exit.code);
    return exit.code;
  } catch (error) {
    const code = report(error, io, redactor.redact.bind(redactor), controller.signal);
    debug('exit %d (%s)', code, error instanceof Error ? error.name : typeof error);
    return code;
  } finally {
    for (const s of signalNames) process.off(s, onSignal);
    for (const stream of [io.stdout, io.stderr]) stream.off('error', onOutputError);
  }
}

/** The error's one `✖` sentence (and hint) on stderr; its exit code. */
export function report(error: unknown, io: Io, redact: (s: string) => string, signal: AbortSignal): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    return EXIT_CODES.USAGE;
  }
  let e = error;
  if (signal.aborted && !(e instanceof TcupError && STOP_CODES.has(e.code)))
    e = signal.reason instanceof TcupError ? signal.reason : new TcupError('INTERRUPTED', 'interrupted');
  if (e instanceof TcupError) {
    io.stderr.write(redact(`✖ ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`));
    return EXIT_CODES[e.code];
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(
    redact(`✖ internal error: ${message}\n  hint: re-run with NODE_DEBUG=tcup and report it\n`),
  );
  if (debugEnabled() && e instanceof Error && e.stack) debug('%s', e.stack);
  return EXIT_INTERNAL;
}

/** Resolves once what was written to the stream is out (at once when the stream is closed). */
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write('', () => resolve());
  });

/** The bin's whole job: run with this process's argv, env and streams, then exit with the code. */
export function runFromProcess(): void {
  // A closed stdout or stderr (EPIPE) is never a crash: main() stops the run for it; later errors of a
  // stream that has gone are of no interest.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  void main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => {
    // Exit once stdout and stderr are flushed (a pipe may still hold output).
    void flushed(process.stdout)
      .then(() => flushed(process.stderr))
      .then(() => process.exit(code));
  });
}
