/**
 * Several clouds in one command, the choices alone (pure, and light enough for --help): which clouds,
 * which accounts file belongs to which cloud, what cannot be combined with several clouds, and how their
 * exit codes combine into one. src/pipeline/clouds.ts runs them.
 */
import { EXIT_CODES, EXIT_INTERNAL, EXIT_OK, TcupError } from '../core/errors.js';

/** --parallel's default: two clouds at a time, what a 2-core machine bears (each runs its own Tempest). */
export const DEFAULT_PARALLEL = 2;

export interface CloudsArgs {
  /** --os-cloud, in the order given (OS_CLOUD counts as one when no --os-cloud was given). */
  clouds: readonly string[];
  /** Whether `clouds` came from OS_CLOUD rather than --os-cloud (--all-clouds then ignores it). */
  cloudsFromEnv: boolean;
  allClouds: boolean;
  /** --accounts, each time it was given: FILE, or CLOUD=FILE. */
  accounts: readonly string[];
}

/** Whether this command runs several clouds (src/pipeline/clouds.ts) rather than one. */
export function isSeveralClouds(args: Pick<CloudsArgs, 'clouds' | 'allClouds'>): boolean {
  return args.allClouds || args.clouds.length > 1;
}

const ACCOUNTS_HINT =
  'name the cloud each accounts file belongs to: --accounts CLOUD=FILE, once per cloud (a bare --accounts FILE only with one cloud)';

/**
 * The value of --accounts split into its cloud and file: `CLOUD=FILE` when the text before an `=` is the
 * name of one of `clouds` (the longest such name, so a cloud may have `=` in its name), else all of it
 * is a file.
 */
export function splitAccountsValue(
  value: string,
  clouds: readonly string[],
): { cloud?: string; file: string } {
  const cloud = [...clouds]
    .sort((a, b) => b.length - a.length)
    .find((c) => value.startsWith(`${c}=`) && value.length > c.length + 1);
  return cloud === undefined ? { file: value } : { cloud, file: value.slice(cloud.length + 1) };
}

/** One cloud (or OS_* variables): the accounts file, given once, bare or as `CLOUD=FILE` of that cloud. */
export function singleAccountsFile(values: readonly string[], cloud: string | undefined): string | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1)
    throw new TcupError(
      'USAGE',
      `--accounts is given ${values.length} times, but this run has one cloud`,
      'give one accounts file (several clouds: --os-cloud A --os-cloud B --accounts A=FILE --accounts B=FILE)',
    );
  const value = values[0]!;
  const split = splitAccountsValue(value, cloud === undefined ? [] : [cloud]);
  return split.file;
}

/**
 * Several clouds: the accounts file of each cloud by name. Every value must be `CLOUD=FILE` of a cloud of
 * this run, at most one per cloud; a cloud without one runs with its clouds.yaml user as the only account.
 */
export function accountsPerCloud(values: readonly string[], clouds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    const { cloud, file } = splitAccountsValue(value, clouds);
    if (cloud === undefined)
      throw new TcupError(
        'USAGE',
        `--accounts ${value} names no cloud of this run (clouds: ${clouds.join(', ')})`,
        ACCOUNTS_HINT,
      );
    if (out.has(cloud))
      throw new TcupError(
        'USAGE',
        `--accounts names two files for cloud "${cloud}" (${out.get(cloud)!} and ${file})`,
        'give one accounts file per cloud',
      );
    out.set(cloud, file);
  }
  return out;
}

/**
 * The clouds of the run, in order: --os-cloud as given, or with --all-clouds every cloud of clouds.yaml
 * (`listAll`, called only then). Duplicates and an empty list are usage errors.
 */
export function chooseClouds(args: CloudsArgs, listAll: () => { file: string; names: string[] }): string[] {
  if (args.allClouds) {
    if (args.clouds.length > 0 && !args.cloudsFromEnv)
      throw new TcupError(
        'USAGE',
        '--all-clouds and --os-cloud exclude each other',
        'run every cloud of clouds.yaml with --all-clouds, or name the clouds with --os-cloud A --os-cloud B',
      );
    const { file, names } = listAll();
    if (names.length === 0)
      throw new TcupError('CREDENTIALS', `--all-clouds: ${file} names no cloud`, 'add clouds: to that file');
    return names;
  }
  const seen = new Set<string>();
  for (const name of args.clouds) {
    if (name === '') throw new TcupError('USAGE', '--os-cloud needs the name of a cloud of clouds.yaml');
    if (seen.has(name))
      throw new TcupError('USAGE', `--os-cloud ${name} is given twice`, 'name each cloud once');
    seen.add(name);
  }
  return [...args.clouds];
}

/** What several clouds cannot do, as the options tcup received them. */
export interface SeveralCloudsRefusable {
  passwordStdin: boolean;
  debug: boolean;
  rerunFailed?: string | undefined;
  upload: {
    askEarly: boolean;
    yes: boolean;
    anonymous: boolean;
    dryRun: boolean;
    sign?: string | undefined;
    again?: boolean | undefined;
  };
}

const UPLOAD_LATER =
  "with several clouds nothing is uploaded: afterwards upload a cloud's folder with `tcup upload DIR` (each cloud prints its command)";

/** Throws the usage error for an option that does not go with several clouds. */
export function refuseForSeveralClouds(o: SeveralCloudsRefusable): void {
  const refuse = (option: string, hint: string): never => {
    throw new TcupError('USAGE', `${option} does not go with several clouds`, hint);
  };
  if (o.passwordStdin)
    refuse(
      '--password-stdin',
      "standard input holds one password: put each cloud's auth.password in secure.yaml (or clouds.yaml), or run tcup in a terminal to be asked for each, one after the other",
    );
  if (o.debug) refuse('--debug', 'a debug shell is for one cloud: --os-cloud NAME --debug');
  if (o.rerunFailed !== undefined)
    refuse('--rerun-failed', "it names one cloud's results folder: --os-cloud NAME --rerun-failed DIR");
  const u = o.upload;
  const uploadOption = u.askEarly
    ? '--upload'
    : u.yes
      ? '--yes'
      : u.sign !== undefined
        ? '--sign'
        : u.anonymous
          ? '--anonymous'
          : u.dryRun
            ? '--dry-run'
            : u.again
              ? '--again'
              : undefined;
  if (uploadOption) refuse(uploadOption, UPLOAD_LATER);
}

/**
 * How several clouds' exit codes combine: the first of this list that occurs (README "Several clouds").
 * A run stopped from outside (signal, closed output) first, then a bug, then a cloud that got no verdict
 * (the earliest step's code: usage, credentials, Keystone, Docker, image, test run, results), a failed
 * upload, NOT compliant, and compliant last.
 */
export const WORST_FIRST: readonly number[] = [
  EXIT_CODES.INTERRUPTED,
  EXIT_CODES.TERMINATED,
  EXIT_CODES.HANGUP,
  EXIT_CODES.OUTPUT_CLOSED,
  EXIT_INTERNAL,
  EXIT_CODES.USAGE,
  EXIT_CODES.CREDENTIALS,
  EXIT_CODES.AUTH_FAILED,
  EXIT_CODES.DOCKER_UNAVAILABLE,
  EXIT_CODES.BUILD_FAILED,
  EXIT_CODES.RUN_FAILED,
  EXIT_CODES.RESULTS_MISSING,
  EXIT_CODES.UPLOAD_FAILED,
  EXIT_CODES.NOT_COMPLIANT,
  EXIT_OK,
];

/** The one exit code of several clouds: the worst of theirs (a code not in the table counts as a bug). */
export function worstExitCode(codes: readonly number[]): number {
  if (codes.length === 0) return EXIT_OK;
  const rank = (code: number) => {
    const i = WORST_FIRST.indexOf(code);
    return i === -1 ? WORST_FIRST.indexOf(EXIT_INTERNAL) : i;
  };
  const worst = codes.reduce((a, b) => (rank(b) < rank(a) ? b : a));
  return WORST_FIRST.includes(worst) ? worst : EXIT_INTERNAL;
}

/** A folder name for each cloud under the parent folder: its name made safe, unique among them. */
export function cloudFolderNames(clouds: readonly string[]): string[] {
  const used = new Set<string>();
  return clouds.map((cloud) => {
    const base = cloud.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'cloud';
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}-${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}
