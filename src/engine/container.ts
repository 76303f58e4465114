/**
 * One ephemeral container of tcup's image: created with labels, secrets sent through its stdin
 * (never Env), a tmpfs for everything that holds them, no log driver (nothing it prints reaches the
 * engine's disk), events read from stdout, results copied out of the tmpfs before it goes away. What
 * goes in and out is the container protocol (src/protocol/container.ts): a line that does not fit it
 * settles the run as failed (exit 7), so the caller's cleanup removes the container.
 */
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { TcupError } from '../core/errors.js';
import { lineWriter } from '../core/lines.js';
import { removeContainer, type Engine, type EngineContainer } from './engine.js';
import { LABEL_TOOL } from './image.js';
import {
  encodeRequest,
  parseLine,
  ProtocolError,
  type ContainerEvent,
  type EventOf,
  type RequestFields,
} from '../protocol/container.js';

export const LABEL_SESSION = 'tcup.session';
export const OUT_DIR = '/run/tcup/out';

export type { ContainerEvent };
type Settled = EventOf<'done'> | EventOf<'ready'>;

export interface RunSpec {
  image: string;
  session: string;
  /** The request sent on stdin (the protocol version is stamped on): it holds the secrets. */
  request: RequestFields;
  network: string;
  /** Host directory mounted read-write at /workspace (debug mode). */
  workspace?: string;
  onEvent: (event: ContainerEvent) => void;
  /** The container's stderr (the human log), already scrubbed inside; the caller redacts again. */
  log: Writable;
  /** Called right after the container exists, so the caller can defer its removal. */
  onCreated: (container: StartedContainer) => void;
}

export interface StartedContainer {
  id: string;
  /**
   * Resolves with the done/ready event; rejects (RUN_FAILED) when the container ended without one or
   * wrote a line that does not fit the protocol, or with what onEvent threw.
   */
  settled: Promise<Settled>;
  copyOut(): Promise<Map<string, Buffer>>;
  /** Ends the container's stdin (it then exits) and waits for its exit code. */
  release(): Promise<number>;
  remove(): Promise<void>;
  container: EngineContainer;
}

/** The engine refused to create, attach or start the container (no such network, no space, …). */
const notStarted = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  return new TcupError(
    'RUN_FAILED',
    `the test container could not be started: ${message}`,
    /container-init|catatonit/.test(message)
      ? 'tcup runs its container with an init, which Podman takes from the catatonit package: install it (Debian and Ubuntu `apt install catatonit`, Fedora and RHEL `dnf install catatonit`)'
      : 'check `--network` and the engine (`docker info` or `podman info`); run again with NODE_DEBUG=tcup for its answer',
    { cause: error },
  );
};

export async function startContainer(engine: Engine, spec: RunSpec): Promise<StartedContainer> {
  const requestLine = encodeRequest(spec.request);
  const container = await engine
    .createContainer({
      Image: spec.image,
      Labels: { [LABEL_TOOL]: '1', [LABEL_SESSION]: spec.session },
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: [],
      HostConfig: {
        NetworkMode: spec.network,
        Tmpfs: { '/run/tcup': 'rw,nosuid,nodev,size=512m,mode=0700' },
        LogConfig: { Type: 'none', Config: {} },
        Init: true,
        ...(spec.workspace ? { Binds: [`${spec.workspace}:/workspace:rw`] } : {}),
      },
    })
    .catch((error: unknown) => {
      throw notStarted(error);
    });
  const started = handle(engine, container, spec);
  spec.onCreated(started.handle);
  try {
    const stream = await container.attach({
      stream: true,
      stdin: true,
      stdout: true,
      stderr: true,
      hijack: true,
    });
    const stdout = new PassThrough();
    engine.modem.demuxStream(stream, stdout, spec.log);
    const done = finished(stream as unknown as NodeJS.ReadableStream).catch(() => undefined);
    started.wire(stream, stdout, done);
    await container.start();
    stream.write(requestLine);
  } catch (error) {
    throw notStarted(error);
  }
  return started.handle;
}

function handle(engine: Engine, container: EngineContainer, spec: RunSpec) {
  let stdin: NodeJS.ReadWriteStream | undefined;
  let streamDone: Promise<unknown> = Promise.resolve();
  let resolveSettled!: (e: Settled) => void;
  let rejectSettled!: (e: Error) => void;
  const settled = new Promise<Settled>((res, rej) => {
    resolveSettled = res;
    rejectSettled = rej;
  });
  settled.catch(() => undefined);
  let released: Promise<number> | undefined;
  const api: StartedContainer = {
    id: container.id,
    container,
    settled,
    async copyOut() {
      // The archive API reads the container's root file system, not its tmpfs: tar it from inside.
      const exec = await container.exec({
        Cmd: ['tar', '-C', OUT_DIR, '-cf', '-', '.'],
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      const tarOut = new PassThrough();
      const errors = new PassThrough();
      engine.modem.demuxStream(stream, tarOut, errors);
      stream.on('end', () => tarOut.end());
      // The connection breaks when the container goes (removed on Ctrl-C): the copy fails, never the process.
      stream.on('error', (error: Error) => tarOut.destroy(error));
      const files = await extractTar(tarOut);
      const { ExitCode } = await exec.inspect();
      if (ExitCode !== 0 && ExitCode !== null)
        throw new TcupError('RESULTS_MISSING', 'the results could not be copied out of the test container');
      return files;
    },
    release() {
      released ??= (async () => {
        stdin?.end();
        const { StatusCode } = await container.wait();
        await streamDone;
        return StatusCode;
      })();
      return released;
    },
    remove: () => removeContainer(container),
  };
  return {
    handle: api,
    wire(stream: NodeJS.ReadWriteStream, stdout: PassThrough, done: Promise<unknown>) {
      stdin = stream;
      let broken = false;
      const onLine = (line: string) => {
        const parsed = parseLine(line);
        if ('log' in parsed) return void spec.log.write(parsed.log + '\n');
        spec.onEvent(parsed.event);
        if (parsed.event.event === 'done' || parsed.event.event === 'ready') resolveSettled(parsed.event);
      };
      const lines = lineWriter((line) => {
        if (broken) return;
        try {
          onLine(line);
        } catch (error) {
          // Never thrown out of a stream handler: the run fails, and its cleanup removes the container.
          broken = true;
          rejectSettled(
            error instanceof ProtocolError
              ? new TcupError(
                  'RUN_FAILED',
                  `the test container wrote a line that is not tcup's protocol (${error.message})`,
                  "a bug in tcup's image, or the image was changed: run again with --verbose and report it",
                  { cause: error },
                )
              : (error as Error),
          );
        }
      });
      stdout.pipe(lines);
      // The connection is over: the last line counts even without a newline, then the log ends (its own
      // last line too), and only then is a run that reported nothing settled as failed.
      streamDone = done.then(async () => {
        stdout.end();
        await finished(lines).catch(() => undefined);
        spec.log.end();
      });
      void streamDone.then(() =>
        rejectSettled(new TcupError('RUN_FAILED', 'the test container ended before it reported its results')),
      );
    },
  };
}

async function extractTar(archive: NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  archive.on('error', (error: Error) => extract.destroy(error));
  archive.pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file')
      files.set(entry.header.name.replace(/^(\.\/|out\/)/, ''), Buffer.concat(chunks));
  }
  return files;
}

/** The installed Tempest tests, read from the image (listed at build time) without starting it. */
export async function listInstalledTests(engine: Engine, image: string, session: string): Promise<string[]> {
  const container = await engine.createContainer({
    Image: image,
    Labels: { [LABEL_TOOL]: '1', [LABEL_SESSION]: session },
    Entrypoint: ['true'],
  });
  try {
    const archive = await container.getArchive({ path: '/usr/share/tcup/tests.txt' });
    const files = await extractTar(archive);
    const text = files.get('tests.txt')?.toString('utf8') ?? '';
    return text.split('\n').filter((l) => l.trim() !== '');
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/** Removes the containers of tcup runs whose launcher died on this host; returns how many. */
export async function reapOrphans(engine: Engine, isOrphan: (session: string) => boolean): Promise<number> {
  const list = await engine.listContainers({ all: true, filters: { label: [`${LABEL_TOOL}=1`] } });
  const orphans = list.filter((c) => isOrphan(c.Labels[LABEL_SESSION] ?? ''));
  await Promise.all(
    orphans.map((c) =>
      engine
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  return orphans.length;
}
