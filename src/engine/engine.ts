/**
 * What tcup uses of a container engine: a narrow interface, shaped like the part of dockerode it needs
 * (so the dockerode client is one, src/engine/docker.ts), with tcup's own types. Every module takes an
 * Engine; tests pass a stand-in (test/support/fake-engine.ts). Also the helpers every engine user
 * shares: the ping that says what to do, 404/409 tolerance, demultiplexing.
 */
import { TcupError } from '../core/errors.js';
import { debug } from '../core/log.js';

/** `{ label: ['tcup=1'] }`: the engine ANDs the labels given. */
export interface LabelFilter {
  filters: { label: string[] };
}

/** Where an engine's API is: the address as DOCKER_HOST spells it, and why tcup looked there. */
export interface EngineLocation {
  address: string;
  /** 'DOCKER_HOST', 'the Docker socket', "Podman's rootful socket", "Podman's rootless socket". */
  source: string;
  /** Every place looked at, in order (for the message when nothing answers). */
  tried: string[];
}

export interface Engine {
  /** Where the engine's API is and why tcup looked there (src/engine/docker.ts locateEngine). */
  readonly location: EngineLocation;
  /** Resolves when the engine answers. */
  ping(): Promise<unknown>;
  /** `GET /version`: Podman names itself in Components ("Podman Engine"). */
  version(): Promise<EngineVersion>;
  getImage(name: string): EngineImage;
  /** A build from a tar context; the answer is a stream of JSON progress lines (see modem.followProgress). */
  buildImage(context: NodeJS.ReadableStream, options: BuildOptions): Promise<NodeJS.ReadableStream>;
  /** `docker load` of an image tar; a stream of JSON progress lines. */
  loadImage(archive: NodeJS.ReadableStream, options: { quiet: boolean }): Promise<NodeJS.ReadableStream>;
  listImages(options: LabelFilter): Promise<ImageSummary[]>;
  createContainer(options: ContainerSpec): Promise<EngineContainer>;
  getContainer(id: string): EngineContainer;
  listContainers(options: LabelFilter & { all: true }): Promise<ContainerSummary[]>;
  listNetworks(options: LabelFilter): Promise<NetworkSummary[]>;
  listVolumes(options: LabelFilter): Promise<{ Volumes: VolumeSummary[] | null }>;
  getNetwork(id: string): { remove(): Promise<unknown> };
  getVolume(name: string): { remove(): Promise<unknown> };
  modem: EngineModem;
}

export interface EngineVersion {
  Version?: string;
  Components?: { Name: string; Version: string }[] | null;
}

/** Options of `POST /containers/{id}/attach` (sent in the query, never as a body). */
export interface EngineAttachOptions {
  stream: true;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  hijack: true;
}

export interface EngineModem {
  /** Splits a multiplexed attach/exec stream into stdout and stderr (the targets are not ended). */
  demuxStream(
    stream: NodeJS.ReadableStream,
    stdout: NodeJS.WritableStream,
    stderr: NodeJS.WritableStream,
  ): void;
  /** Reads a stream of JSON progress lines to its end: every event to onProgress, all of them at the end. */
  followProgress(
    stream: NodeJS.ReadableStream,
    onFinished: (error: Error | null, events: ProgressEvent[]) => void,
    onProgress?: (event: ProgressEvent) => void,
  ): void;
}

/** One line of a build's or load's progress. */
export interface ProgressEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export interface BuildOptions {
  t: string;
  rm: boolean;
  forcerm: boolean;
  labels: Record<string, string>;
  buildargs: Record<string, string>;
  networkmode?: string;
  abortSignal?: AbortSignal;
}

export interface EngineImage {
  inspect(): Promise<{ Config?: { Labels?: Record<string, string> | null } }>;
  /** The image as a `docker save` tar. */
  get(): Promise<NodeJS.ReadableStream>;
  remove(options: { noprune: boolean }): Promise<unknown>;
}

export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | undefined;
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  State: string;
  Labels: Record<string, string>;
}

export interface NetworkSummary {
  Id: string;
  Name: string;
  Labels?: Record<string, string> | undefined;
}

export interface VolumeSummary {
  Name: string;
  Labels: Record<string, string> | null;
}

export interface ContainerSpec {
  Image: string;
  Labels: Record<string, string>;
  Entrypoint?: string[];
  Env?: string[];
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  HostConfig?: {
    NetworkMode?: string;
    Tmpfs?: Record<string, string>;
    LogConfig?: { Type: string; Config: Record<string, string> };
    Init?: boolean;
    Binds?: string[];
  };
}

export interface EngineContainer {
  id: string;
  /** The container's stdin, stdout and stderr as one multiplexed stream (modem.demuxStream splits it). */
  attach(options: EngineAttachOptions): Promise<NodeJS.ReadWriteStream>;
  start(): Promise<unknown>;
  /** Resolves when the container has exited. */
  wait(): Promise<{ StatusCode: number }>;
  exec(options: ExecSpec): Promise<EngineExec>;
  remove(options: { force: boolean; v: boolean }): Promise<unknown>;
  /** A file or folder of the container's root file system (not its tmpfs) as a tar. */
  getArchive(options: { path: string }): Promise<NodeJS.ReadableStream>;
  inspect(): Promise<{ State: ContainerState }>;
  logs(options: { stdout: boolean; stderr: boolean; follow: false; tail?: number }): Promise<Buffer>;
}

export interface ContainerState {
  Running: boolean;
  ExitCode: number;
  Health?: { Status: string } | undefined;
}

export interface ExecSpec {
  Cmd: string[];
  AttachStdin?: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty?: boolean;
  WorkingDir?: string;
  Env?: string[];
}

export interface EngineExec {
  start(options: { hijack: true; stdin: boolean; Tty?: boolean }): Promise<NodeJS.ReadWriteStream>;
  inspect(): Promise<{ ExitCode: number | null }>;
  resize(options: { h: number; w: number }): Promise<unknown>;
}

/** Which engine answered: Docker or Podman, its version, and where. */
export interface EngineInfo {
  product: 'Docker' | 'Podman';
  version: string;
  address: string;
}

/** The engine's one line in a run's output. */
export const describeEngine = (info: EngineInfo): string =>
  `engine: ${info.product} ${info.version} at ${info.address}`;

/** Pings the engine and asks what it is; an engine that does not answer is the named error. */
export async function pingEngine(engine: Engine): Promise<EngineInfo> {
  const { address, source, tried } = engine.location;
  try {
    await engine.ping();
    debug('engine: ping answered at %s (%s)', address, source);
  } catch (error) {
    debug('engine: ping failed: %s', error instanceof Error ? error.message : error);
    const where = source === 'DOCKER_HOST' ? `at DOCKER_HOST (${address})` : `at ${tried.join(', ')}`;
    throw new TcupError(
      'DOCKER_UNAVAILABLE',
      `no container engine answers ${where}: is Docker or Podman running?`,
      source === 'DOCKER_HOST'
        ? 'check DOCKER_HOST, that the engine there is running, and that you may use it'
        : "start Docker (`sudo systemctl start docker`) or Podman's API service (`systemctl --user enable --now podman.socket`, or as root `systemctl enable --now podman.socket`), or set DOCKER_HOST; and check that you may use the socket",
      { cause: error },
    );
  }
  const version = await engine.version().catch((): EngineVersion => ({}));
  const podman = version.Components?.find((c) => /podman/i.test(c.Name));
  const info: EngineInfo = podman
    ? { product: 'Podman', version: podman.Version, address }
    : { product: 'Docker', version: version.Version ?? 'unknown version', address };
  debug('%s', describeEngine(info));
  return info;
}

/** HTTP status of an engine error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** `docker logs` of a non-TTY container as text: the 8-byte frame header before each chunk removed. */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length;) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Removes a container and its volumes; one already gone (404) or being removed (409) is fine. */
export async function removeContainer(container: {
  remove(options: { force: boolean; v: boolean }): Promise<unknown>;
}): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
    debug('engine: removed container %s', (container as { id?: string }).id ?? '');
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
  }
}
