/**
 * A stand-in container engine for unit tests: what tcup calls (src/engine/engine.ts) without Docker.
 * It keeps a journal of what was made and removed, in order; `at(op)` may fail an operation (throw),
 * hold it (return a promise) or interrupt the run there. The test container speaks the container
 * protocol through a script: by default a run in which every requested test passes.
 */
import { Duplex, PassThrough } from 'node:stream';
import tar from 'tar-stream';
import type {
  ContainerSpec,
  ContainerSummary,
  Engine,
  EngineContainer,
  ProgressEvent,
} from '../../src/engine/engine.js';
import {
  EVENT_PREFIX,
  parseRequest,
  type ContainerEvent,
  type ContainerRequest,
} from '../../src/protocol/container.js';

/** What the operations are called in the journal and in `at`. */
export type Op =
  | 'ping'
  | 'list containers'
  | 'remove orphan'
  | 'inspect image'
  | 'build'
  | 'create'
  | 'start'
  | 'copy out'
  | 'wait'
  | 'remove';

/** The test container's side of the protocol, for a script. */
export interface ContainerIO {
  /** The request tcup sent on stdin (secrets included). */
  request: Promise<ContainerRequest>;
  event(event: ContainerEvent): void;
  /** A raw stdout line (not an event: log text, or a line that breaks the protocol). */
  line(text: string): void;
  /** Stdout text as it is, no newline added (a last line may end without one). */
  raw(text: string): void;
  /** Resolves when tcup ends the container's stdin (it has the results). */
  released: Promise<void>;
  /** The container ends (its process exits with `code`). */
  exit(code: number): void;
}

export type ContainerScript = (io: ContainerIO) => Promise<void>;

export interface FakeEngineOptions {
  /** Before each operation: throw to fail it, return a promise to hold it. */
  at?: (op: Op, id: string) => void | Promise<void>;
  /** Tags on the engine at the start. */
  images?: readonly string[];
  /** The build's progress lines (default: two steps that succeed). */
  build?: ProgressEvent[];
  /** The Tempest tests the image lists (/usr/share/tcup/tests.txt). */
  installed?: readonly string[];
  /** The test container's behaviour (default: every requested test passes). */
  script?: ContainerScript;
  /**
   * What `tar -C /run/tcup/out` gives: files, and its exit code (default 0); `stall`: nothing until the
   * container is removed, when the connection breaks (ECONNRESET), as the engine's does.
   */
  out?: { files: Record<string, string>; exitCode?: number; stall?: boolean };
  /** Containers of earlier runs on the engine (listed by label). */
  leftovers?: ContainerSummary[];
}

export interface FakeEngine {
  engine: Engine;
  /** `create c1`, `start c1`, `remove c1`, `build tcup-tempest:…`, in order. */
  journal: string[];
  /** Containers not removed. */
  alive(): string[];
  /** Resolves when the container is removed. */
  removed(id: string): Promise<void>;
  /** The requests the test containers got. */
  requests: ContainerRequest[];
}

const notFound = (what: string) => Object.assign(new Error(`no such ${what}`), { statusCode: 404 });

/** A run in which every requested test passes. */
export const passingRun: ContainerScript = async (io) => {
  const request = await io.request;
  io.event({ event: 'configured', ms: 1200 });
  io.event({ event: 'start', total: request.tests.length });
  for (const id of request.tests) io.event({ event: 'test', id, status: 'success', ms: 10, reason: null });
  io.event({ event: 'finished', rc: 0, stream: 'complete', tail: [] });
  io.event({ event: 'done', code: 0 });
  await io.released;
  io.exit(0);
};

export const DEFAULT_OUT = {
  files: { 'results.subunit': 'subunit bytes', 'tempest.log': 'tempest log', 'tempest.conf': '[auth]\n' },
};

async function tarOf(files: Record<string, string>): Promise<NodeJS.ReadableStream> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name: `./${name}` }, text);
  pack.finalize();
  const out = new PassThrough();
  pack.pipe(out);
  return Promise.resolve(out);
}

export function createFakeEngine(options: FakeEngineOptions = {}): FakeEngine {
  const journal: string[] = [];
  const requests: ContainerRequest[] = [];
  const images = new Set(options.images ?? []);
  const containers = new Map<string, { removed: boolean; gone: () => void; whenGone: Promise<void> }>();
  let next = 0;
  const at = async (op: Op, id: string) => {
    journal.push(`${op} ${id}`.trim());
    await options.at?.(op, id);
  };

  function makeContainer(spec: ContainerSpec): EngineContainer {
    const id = `c${++next}`;
    let gone!: () => void;
    const whenGone = new Promise<void>((resolve) => (gone = resolve));
    const state = { removed: false, gone, whenGone };
    containers.set(id, state);
    let exitCode: number | undefined;
    let exited!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    let stdin = '';
    let gotRequest!: (r: ContainerRequest) => void;
    const request = new Promise<ContainerRequest>((resolve) => (gotRequest = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const stream = new Duplex({
      read() {},
      write(chunk: Buffer | string, _enc, done) {
        stdin += chunk.toString();
        const nl = stdin.indexOf('\n');
        if (nl >= 0) {
          const r = parseRequest(stdin.slice(0, nl));
          requests.push(r);
          gotRequest(r);
        }
        done();
      },
      final(done) {
        release();
        done();
      },
    });
    const end = (code: number) => {
      if (exitCode !== undefined) return;
      exitCode = code;
      exited(code);
      stream.push(null);
      // A killed container closes the attach connection, whatever tcup still writes.
      stream.once('end', () => {
        if (!stream.writableFinished) stream.destroy();
      });
    };
    void whenGone.then(() => end(137));
    const io: ContainerIO = {
      request,
      event: (e) => void stream.push(`${EVENT_PREFIX}${JSON.stringify(e)}\n`),
      line: (text) => void stream.push(`${text}\n`),
      raw: (text) => void stream.push(text),
      released,
      exit: end,
    };
    const tests = spec.Entrypoint?.[0] === 'true';
    return {
      id,
      attach: () => Promise.resolve(stream),
      async start() {
        await at('start', id);
        if (!tests) void (options.script ?? passingRun)(io);
      },
      async wait() {
        await at('wait', id);
        // Removed while tcup waited: the engine no longer knows the container.
        if (state.removed) throw notFound('container');
        return { StatusCode: await exit };
      },
      async exec() {
        return Promise.resolve({
          start: async () => {
            await at('copy out', id);
            if (state.removed) throw notFound('container');
            if (options.out?.stall) {
              const stalled = new PassThrough();
              void whenGone.then(() =>
                stalled.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })),
              );
              return stalled;
            }
            return (await tarOf((options.out ?? DEFAULT_OUT).files)) as NodeJS.ReadWriteStream;
          },
          inspect: () => Promise.resolve({ ExitCode: options.out?.exitCode ?? 0 }),
          resize: () => Promise.resolve(),
        });
      },
      async remove() {
        await at('remove', id);
        if (state.removed) throw notFound('container');
        state.removed = true;
        gone();
      },
      async getArchive() {
        return tarOf({ 'tests.txt': (options.installed ?? []).join('\n') + '\n' });
      },
      inspect: () => Promise.resolve({ State: { Running: exitCode === undefined, ExitCode: exitCode ?? 0 } }),
      logs: () => Promise.resolve(Buffer.alloc(0)),
    };
  }

  const engine: Engine = {
    location: { address: 'unix:///fake/engine.sock', source: 'DOCKER_HOST', tried: ['DOCKER_HOST'] },
    async ping() {
      await at('ping', '');
    },
    version: () => Promise.resolve({ Version: '0.0-fake' }),
    getImage: (name) => ({
      async inspect() {
        await at('inspect image', name);
        if (!images.has(name)) throw notFound('image');
        return { Config: { Labels: {} } };
      },
      get: () => Promise.reject(new Error('not in the fake')),
      remove: () => Promise.reject(new Error('not in the fake')),
    }),
    async buildImage(context, build) {
      context.resume();
      await at('build', build.t);
      if (build.abortSignal?.aborted)
        throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
      const out = new PassThrough();
      const events = options.build ?? [
        { stream: 'Step 1/2 : FROM debian\n' },
        { stream: 'Step 2/2 : RUN true\n' },
      ];
      for (const e of events) out.write(JSON.stringify(e) + '\n');
      out.end();
      if (!events.some((e) => e.error ?? e.errorDetail)) images.add(build.t);
      return out;
    },
    loadImage: () => Promise.reject(new Error('not in the fake')),
    listImages: () => Promise.resolve([]),
    async createContainer(spec) {
      await at('create', `c${next + 1}`);
      return makeContainer(spec);
    },
    getContainer(id) {
      return {
        id,
        remove: async () => {
          await at('remove orphan', id);
        },
      } as unknown as EngineContainer;
    },
    async listContainers() {
      await at('list containers', '');
      return options.leftovers ?? [];
    },
    listNetworks: () => Promise.resolve([]),
    listVolumes: () => Promise.resolve({ Volumes: [] }),
    getNetwork: () => ({ remove: () => Promise.resolve() }),
    getVolume: () => ({ remove: () => Promise.resolve() }),
    modem: {
      demuxStream(stream, stdout) {
        stream.on('data', (chunk: Buffer) => stdout.write(chunk));
      },
      followProgress(stream, onFinished, onProgress) {
        const events: ProgressEvent[] = [];
        let buffer = '';
        stream.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            const event = JSON.parse(buffer.slice(0, nl)) as ProgressEvent;
            buffer = buffer.slice(nl + 1);
            events.push(event);
            onProgress?.(event);
          }
        });
        stream.on('end', () => onFinished(null, events));
        stream.on('error', (error: Error) => onFinished(error, events));
      },
    },
  };
  return {
    engine,
    journal,
    requests,
    alive: () => [...containers].filter(([, c]) => !c.removed).map(([id]) => id),
    removed: (id) => containers.get(id)?.whenGone ?? Promise.resolve(),
  };
}
