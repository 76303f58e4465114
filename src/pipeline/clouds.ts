/**
 * Several clouds in one command (`--os-cloud A --os-cloud B`, `--all-clouds`): each cloud is a whole
 * runTcup of its own (its credentials, preflight, container, results folder and cleanup stack), a few at a
 * time, with one image shared. Passwords are asked for first, one cloud after the other, before anything
 * runs in parallel. Afterwards one comparison of the clouds (src/report), one line per cloud, and one exit
 * code: the worst (WORST_FIRST in clouds-choice.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { listClouds } from '../cloud/credentials.js';
import { EXIT_CODES, EXIT_INTERNAL, EXIT_OK, STOP_CODES, TcupError } from '../core/errors.js';
import { whenAborted } from '../core/abort.js';
import { createReporter, type Reporter } from '../core/log.js';
import { describeVariant, type TempestVariant } from '../tempest/variant.js';
import type { TempestImage } from './steps/tempest-image.js';
import { compareRuns, renderComparison } from '../report/compare.js';
import { buildReportModel, type ReportModel } from '../report/model.js';
import { createResultsDir, defaultResultsDir } from '../results/folder.js';
import { readResultsFolder } from '../results/read-folder.js';
import {
  accountsPerCloud,
  chooseClouds,
  cloudFolderNames,
  DEFAULT_PARALLEL,
  refuseForSeveralClouds,
  worstExitCode,
  type CloudsArgs,
} from './clouds-choice.js';
import type { Deps, RunOptions } from './options.js';
import { runTcup } from './pipeline.js';
import { resolveCloud, type ResolvedCloud } from './steps/cloud.js';

export const COMPARISON_FILE = 'comparison.html';
export const CLOUDS_FILE = 'clouds.json';

export interface SeveralCloudsArgs extends CloudsArgs {
  /** --parallel: at most this many clouds at a time. */
  parallel?: number | undefined;
}

/** How one cloud ended. */
interface Outcome {
  code: number;
  /** The verdict line, or the error. */
  line: string;
  /** Its results folder, when it holds summary.json. */
  folder?: string;
}

interface Cloud {
  name: string;
  dir: string;
  accountsFile?: string | undefined;
  reporter: Reporter;
  resolved?: ResolvedCloud;
  outcome?: Outcome;
}

const readFileOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export async function runClouds(deps: Deps, options: RunOptions, args: SeveralCloudsArgs): Promise<number> {
  refuseForSeveralClouds(options);
  const names = chooseClouds(args, () =>
    listClouds(deps.env, { readFile: readFileOrUndefined, home: deps.env.HOME ?? homedir(), cwd: deps.cwd }),
  );
  const accounts = accountsPerCloud(args.accounts, names);
  const parallel = Math.max(1, Math.min(args.parallel ?? DEFAULT_PARALLEL, names.length));
  const parent = options.resultsDir
    ? resolve(options.cwd, options.resultsDir)
    : defaultResultsDir(options.cwd, new Date(deps.now()));
  const shown = (path: string) => {
    const rel = relative(deps.cwd, path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  const display = createDisplay(deps, names);
  const folders = cloudFolderNames(names);
  const clouds: Cloud[] = names.map((name, i) => ({
    name,
    dir: join(parent, folders[i]!),
    accountsFile: accounts.get(name),
    reporter: cloudReporter(name, display, options.verbose, (t) => deps.redactor.redact(t)),
  }));
  display.plain(
    `› ${clouds.length} clouds (${names.join(', ')}), at most ${parallel} at a time; results under ${shown(parent)}`,
  );
  await createResultsDir(parent);

  // 1. Credentials and accounts of every cloud, one after the other: each prompt names its cloud.
  let cancelled = false;
  for (const cloud of clouds) {
    if (deps.signal.aborted || cancelled) break;
    try {
      cloud.resolved = await resolveCloud(
        deps,
        {
          cloud: cloud.name,
          passwordStdin: false,
          severalClouds: true,
          accountsFile: cloud.accountsFile,
          cacert: options.cacert,
          insecure: options.insecure,
        },
        cloud.reporter,
      );
    } catch (error) {
      cloud.outcome = failed(cloud, error, deps, display);
      // Ctrl-C at a prompt stops them all; another cloud's missing password does not.
      cancelled = error instanceof TcupError && error.code === 'PROMPT_ABORTED';
    }
  }

  // 2. The runs, a few at a time; one image for all (the first cloud in order that gets there makes it).
  const queue = cancelled ? [] : clouds.filter((c) => c.resolved && !c.outcome);
  const images = createImageShare(
    queue.map((c) => c.name),
    deps.signal,
  );
  display.start(queue.map((c) => c.name));
  const worker = async () => {
    for (let cloud = queue.shift(); cloud; cloud = queue.shift()) {
      const c = cloud;
      if (deps.signal.aborted) break;
      display.row(c.name, 'starting');
      const cloudDeps: Deps = {
        ...deps,
        reporter: c.reporter,
        sharedImage: (variant, make) => images.get(c.name, c.reporter, variant, make),
      };
      try {
        const code = await runTcup(cloudDeps, {
          ...options,
          cloud: c.name,
          resolvedCloud: c.resolved,
          accountsFile: c.accountsFile,
          passwordStdin: false,
          resultsDir: c.dir,
          // Nothing is uploaded with several clouds: the per-cloud step then says how to upload later.
          upload: { ...options.upload, askEarly: false, yes: false, anonymous: false, sign: undefined },
        });
        c.outcome = { code, line: verdictLine(c.dir) ?? `exit ${code}`, folder: c.dir };
      } catch (error) {
        c.outcome = failed(c, error, deps, display);
      } finally {
        images.ended(c.name);
      }
      display.row(
        c.name,
        `${c.outcome.code === EXIT_OK ? '✔' : '✖'} exit ${c.outcome.code}: ${c.outcome.line}`,
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  display.stop();

  // 3. One comparison of the clouds that have results, one line per cloud, one exit code.
  for (const c of clouds) {
    c.outcome ??= {
      code: cancelled ? EXIT_CODES.PROMPT_ABORTED : abortCode(deps.signal),
      line: cancelled ? 'not run: a question was cancelled' : 'not run: the run was stopped first',
    };
    if (!c.outcome.folder && existsSync(join(c.dir, 'summary.json'))) c.outcome.folder = c.dir;
  }
  const code = worstExitCode(clouds.map((c) => c.outcome!.code));
  const comparison = writeComparison(clouds, parent, deps);
  writeOrWarn(
    join(parent, CLOUDS_FILE),
    JSON.stringify(
      {
        exitCode: code,
        clouds: clouds.map((c) => ({
          cloud: c.name,
          exitCode: c.outcome!.code,
          result: deps.redactor.redact(c.outcome!.line),
          ...(c.outcome!.folder ? { folder: relative(parent, c.outcome!.folder) } : {}),
        })),
      },
      null,
      2,
    ) + '\n',
    deps,
  );
  const width = Math.max(...names.map((n) => n.length));
  display.plain(`› ${clouds.length} clouds: exit ${code}, the worst of theirs`);
  for (const c of clouds) {
    const o = c.outcome!;
    display.plain(
      `  ${c.name.padEnd(width)}  exit ${String(o.code).padEnd(3)} ${o.line}${o.folder ? ` (${shown(o.folder)})` : ''}`,
    );
  }
  if (comparison) display.plain(`  comparison of the clouds: ${shown(comparison)}`);
  return code;
}

/**
 * One Tempest image for every cloud of the run, so they are compared on the same Tempest. It is made by
 * the first cloud in the run's order that is still running when the image is needed (with the Tempest
 * that supports that cloud, unless --tempest or --tempest-image decide); a later cloud waits for it, and
 * is told when it would have chosen another Tempest. Deterministic: a cloud that ended (its preflight
 * failed) hands the choice to the next one.
 */
export function createImageShare(order: readonly string[], signal: AbortSignal) {
  const running = new Set(order);
  let decided: { by: string; image: Promise<TempestImage> } | undefined;
  const waiting = new Map<string, { make: () => Promise<TempestImage>; wake: () => void }>();
  const settle = () => {
    if (!decided) {
      const first = order.find((c) => running.has(c));
      const next = first === undefined ? undefined : waiting.get(first);
      if (!next || first === undefined) return;
      decided = { by: first, image: next.make() };
      decided.image.catch(() => undefined);
    }
    for (const w of waiting.values()) w.wake();
    waiting.clear();
  };
  return {
    async get(
      cloud: string,
      reporter: Reporter,
      variant: TempestVariant | undefined,
      make: () => Promise<TempestImage>,
    ): Promise<TempestImage> {
      const current = () => decided;
      if (!current()) {
        const woken = new Promise<void>((wake) => waiting.set(cloud, { make, wake }));
        settle();
        const now = current();
        if (now?.by !== cloud) {
          if (!now) reporter.step('one image for all clouds: waiting for the cloud before this one');
          await Promise.race([woken, whenAborted(signal)]);
        }
      }
      const shared = current();
      if (!shared) throw new TcupError('INTERRUPTED', 'interrupted');
      const image = await shared.image;
      if (shared.by !== cloud) {
        reporter.step(`the image of cloud ${shared.by}: ${image.tag} (${describeVariant(image.variant)})`);
        if (variant && variant.id !== image.variant.id)
          reporter.warn(
            `this cloud alone would get ${describeVariant(variant)}; the clouds of one run share one image, so it runs ${describeVariant(image.variant)} (--tempest chooses it for all)`,
          );
      }
      return image;
    },
    /** A cloud's run ended: if the image is not decided, the next cloud in order decides it. */
    ended(cloud: string) {
      running.delete(cloud);
      waiting.delete(cloud);
      settle();
    },
  };
}

/** The verdict line of a results folder (as its report words it). */
function verdictLine(dir: string): string | undefined {
  try {
    return buildReportModel(readResultsFolder(dir)).answer;
  } catch {
    return undefined;
  }
}

/** comparison.html of every cloud with a results folder, in the order of the clouds; its path. */
function writeComparison(clouds: Cloud[], parent: string, deps: Deps): string | undefined {
  const models: ReportModel[] = [];
  for (const c of clouds) {
    if (!c.outcome?.folder) continue;
    try {
      models.push({ ...buildReportModel(readResultsFolder(c.outcome.folder)), name: c.name });
    } catch (error) {
      c.reporter.warn(
        `left out of the comparison: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (models.length === 0) return undefined;
  const out = join(parent, COMPARISON_FILE);
  return writeOrWarn(out, renderComparison(compareRuns(models)), deps) ? out : undefined;
}

/** Writes a file of the parent folder, redacted; a failure is a warning (each cloud's folder is written). */
function writeOrWarn(path: string, text: string, deps: Deps): boolean {
  try {
    writeFileSync(path, deps.redactor.redact(text), { mode: 0o644 });
    return true;
  } catch (error) {
    deps.stderr.write(`! cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`);
    return false;
  }
}

const abortCode = (signal: AbortSignal): number =>
  signal.reason instanceof TcupError ? EXIT_CODES[signal.reason.code] : EXIT_CODES.INTERRUPTED;

/** A cloud's error as the CLI words one (✖ message, hint), with its prefix; its exit code. */
function failed(cloud: Cloud, error: unknown, deps: Deps, display: Display): Outcome {
  let e = error;
  if (deps.signal.aborted && !(e instanceof TcupError && STOP_CODES.has(e.code)))
    e =
      deps.signal.reason instanceof TcupError
        ? deps.signal.reason
        : new TcupError('INTERRUPTED', 'interrupted');
  const say = (text: string) => display.line(cloud.name, deps.redactor.redact(text));
  if (e instanceof TcupError) {
    say(`✖ ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    return { code: EXIT_CODES[e.code], line: deps.redactor.redact(e.message) };
  }
  const message = e instanceof Error ? e.message : String(e);
  say(`✖ internal error: ${message}\n  hint: re-run with NODE_DEBUG=tcup and report it`);
  return { code: EXIT_INTERNAL, line: deps.redactor.redact(`internal error: ${message}`) };
}

// ------------------------------------------------------------------------------------------ output

/**
 * The output of several clouds. Without a terminal every line is `[cloud] line`. On a terminal the
 * lines scroll as `[cloud] line` above a block of one line per cloud (its latest step or progress),
 * redrawn in place while the runs go on.
 */
export interface Display {
  /** A line of a cloud (kept). */
  line(cloud: string, text: string): void;
  /** A cloud's live status (its line in the block on a terminal; a kept line otherwise). */
  status(cloud: string, text: string): void;
  /** A cloud's line in the block on a terminal (nothing otherwise: its lines say it). */
  row(cloud: string, text: string): void;
  /** A line of no cloud. */
  plain(text: string): void;
  /** From now on (a terminal) the block of these clouds' lines is shown. */
  start(clouds: string[]): void;
  /** The block stays as it is last drawn; lines go on below it. */
  stop(): void;
}

export function createDisplay(deps: Pick<Deps, 'stderr'>, clouds: readonly string[]): Display {
  const out = deps.stderr;
  const tty = out.isTTY === true;
  const write = (text: string) => out.write(text);
  const width = Math.max(...clouds.map((c) => c.length));
  let rows: { cloud: string; text: string }[] = [];
  let drawn = 0;
  let live = false;
  const fit = (text: string) => {
    const columns = Math.max(20, (out.columns || 80) - 1);
    return text.length <= columns ? text : text.slice(0, columns - 1) + '…';
  };
  const erase = () => {
    if (drawn > 0) write(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live) return;
    write(rows.map((r) => fit(`${r.cloud.padEnd(width)}  ${r.text}`) + '\n').join(''));
    drawn = rows.length;
  };
  const lines = (cloud: string, text: string) =>
    text
      .split('\n')
      .map((l) => `[${cloud}] ${l}\n`)
      .join('');
  const setRow = (cloud: string, text: string) => {
    const row = rows.find((r) => r.cloud === cloud);
    if (row) row.text = text.split('\n')[0] ?? '';
  };
  return {
    line(cloud, text) {
      if (!tty || !live) return void write(lines(cloud, text));
      erase();
      write(lines(cloud, text));
      setRow(cloud, text.trim());
      draw();
    },
    status(cloud, text) {
      if (!tty || !live) return void write(lines(cloud, text));
      setRow(cloud, text);
      erase();
      draw();
    },
    row(cloud, text) {
      if (!tty || !live) return;
      setRow(cloud, text);
      erase();
      draw();
    },
    plain(text) {
      if (!tty || !live) return void write(text + '\n');
      erase();
      write(text + '\n');
      draw();
    },
    start(names) {
      if (!tty) return;
      rows = names.map((cloud) => ({ cloud, text: 'waiting' }));
      live = true;
      draw();
    },
    stop() {
      live = false;
      drawn = 0;
    },
  };
}

/**
 * A cloud's reporter: a reporter of its own (its transcript is that cloud's tcup.log) whose lines go to
 * the display, the progress as the cloud's status, everything else as its lines.
 */
export function cloudReporter(
  cloud: string,
  display: Display,
  verbose: boolean,
  redact: (text: string) => string,
): Reporter {
  let kind: 'line' | 'status' = 'line';
  const base = createReporter({
    isTTY: false,
    verbose,
    redact,
    write: (text) => {
      const line = text.endsWith('\n') ? text.slice(0, -1) : text;
      if (kind === 'status') display.status(cloud, line);
      else display.line(cloud, line);
    },
  });
  const as = (k: typeof kind, f: () => void) => {
    kind = k;
    try {
      f();
    } finally {
      kind = 'line';
    }
  };
  return {
    step: (m) => base.step(m),
    info: (m) => base.info(m),
    warn: (m) => base.warn(m),
    log: (line) => base.log(line),
    progress: (line) => as('status', () => base.progress(line)),
    endProgress: () => as('status', () => base.endProgress()),
    transcript: () => base.transcript(),
  };
}
