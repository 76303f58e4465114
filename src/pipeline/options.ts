/**
 * What the pipeline is given: the process it runs in and its collaborators (Deps), and what the user
 * asked for (RunOptions). A leaf of the pipeline room: the steps import it, it imports no step.
 */
import type { Account } from '../cloud/accounts.js';
import type { Credentials } from '../cloud/credentials.js';
import type { HttpClient, HttpClientOptions } from '../core/http.js';
import type { Reporter } from '../core/log.js';
import type { Owner } from '../core/session.js';
import type { Engine } from '../engine/engine.js';
import type { Redactor } from '../redaction/redactor.js';
import type { TempestVariant, VariantId } from '../tempest/variant.js';

export interface Deps {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  redactor: Redactor;
  signal: AbortSignal;
  /** The clock (ms since the epoch): the results folder's name, durations, records. */
  now: () => number;
  /**
   * The container engine DOCKER_HOST of `env` names (src/cli.ts: dockerode, src/engine/docker.ts); asked
   * for when the run first needs it. The pipeline never makes its own.
   */
  engine: (env: Readonly<Record<string, string | undefined>>) => Promise<Engine>;
  /** An HTTP client (src/cli.ts: src/core/http.ts) for Keystone, the cloud's APIs and RefStack. */
  http: (options: HttpClientOptions) => Promise<HttpClient>;
  onResize: (listener: () => void) => () => void;
  /** Who runs: the session label says it, so the containers of a launcher that died can be found. */
  owner: Owner;
  /** Several clouds (src/pipeline/clouds.ts): this cloud's reporter (its own line, or `[cloud]` prefixes). */
  reporter?: Reporter | undefined;
  /** Several clouds: one Tempest image for all, made once (by the first cloud of the run still running). */
  sharedImage?:
    | ((variant: TempestVariant | undefined, make: () => Promise<TempestImage>) => Promise<TempestImage>)
    | undefined;
}

export interface RunOptions {
  cloud?: string | undefined;
  /** Several clouds: this cloud's credentials and accounts, asked for before the runs start in parallel. */
  resolvedCloud?: { credentials: Credentials; accounts?: Account[] } | undefined;
  passwordStdin: boolean;
  accountsFile?: string | undefined;
  /** Accounts given directly instead of --accounts FILE (tcup demo). */
  accounts?: Account[] | undefined;
  /** The tcup.session label (tcup demo shares its own, so one label finds the cloud too). */
  session?: string | undefined;
  guideline: string;
  /** An interop guideline's product, or a standard that is a plain list (`scs-0128`: no --guideline). */
  target: 'platform' | 'compute' | 'object' | 'dns' | 'orchestration' | 'scs-0128';
  types: string[];
  includeFlagged: boolean;
  capabilities: string[];
  testList?: string | undefined;
  rerunFailed?: string | undefined;
  concurrency?: number | undefined;
  tempestOptions: [string, string][];
  network: string;
  /** Compute runs: image, flavors, networks, guest login, cleanup of the test projects. */
  compute?: ComputeOptions | undefined;
  resultsDir?: string | undefined;
  cwd: string;
  debug: boolean;
  verbose: boolean;
  upload: UploadChoice;
  cacert?: string | undefined;
  insecure?: boolean | undefined;
  /** --tempest: the Tempest variant ("47", "43", "33"); default: the one that supports the cloud. */
  tempest?: VariantId | undefined;
  /** --tempest-image: an image already on the engine (checked by its labels); nothing is built. */
  tempestImage?: string | undefined;
}

/** The Tempest image a run uses (src/pipeline/steps/tempest-image.ts makes it). */
export interface TempestImage {
  tag: string;
  built: boolean;
  variant: TempestVariant;
  /** tcup's patches the image carries (its label tcup.patches: container/patches/ names). */
  patches: string[];
}

/** Compute runs (src/pipeline/steps/compute.ts): what the user chose, or tcup picks. */
export interface ComputeOptions {
  /** --image NAME|ID|FILE */
  image?: string | undefined;
  flavor?: string | undefined;
  flavorAlt?: string | undefined;
  fixedNetwork?: string | undefined;
  externalNetwork?: string | undefined;
  validation: boolean;
  cleanupCloud: boolean;
}

export interface UploadChoice {
  url: string;
  /** --upload: ask before the run instead of after it. */
  askEarly: boolean;
  yes: boolean;
  anonymous: boolean;
  dryRun: boolean;
  sign?: string | undefined;
  passphraseEnv?: string | undefined;
  /** --again: upload results that this folder records as uploaded already. */
  again?: boolean | undefined;
}
