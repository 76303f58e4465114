/** The only place that constructs a Docker client; a ping that says what to do when there is no engine. */
import Docker from 'dockerode';
import { TcupError } from '../core/errors.js';
import { debug } from '../core/log.js';

export type Engine = Docker;

export function createEngine(env: Readonly<Record<string, string | undefined>>): Engine {
  const host = env.DOCKER_HOST;
  debug('engine: %s', host ?? 'unix:///var/run/docker.sock');
  if (host?.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host) return new Docker(); // tcp:// and TLS settings: docker-modem reads DOCKER_HOST/DOCKER_CERT_PATH
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

export async function pingEngine(engine: Engine): Promise<void> {
  try {
    await engine.ping();
    debug('engine: ping answered');
  } catch (error) {
    debug('engine: ping failed: %s', error instanceof Error ? error.message : error);
    throw new TcupError(
      'DOCKER_UNAVAILABLE',
      'Docker is not answering: is the Docker engine running?',
      'start Docker (for example `sudo systemctl start docker`), check DOCKER_HOST, and that you may use the docker socket',
      { cause: error },
    );
  }
}

/** HTTP status of a dockerode error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

interface Modem {
  demuxStream(
    stream: NodeJS.ReadableStream,
    stdout: NodeJS.WritableStream,
    stderr: NodeJS.WritableStream,
  ): void;
}

/** Splits Docker's multiplexed attach/exec stream into stdout and stderr (the targets are not ended). */
export function demuxStream(
  container: { modem: unknown },
  stream: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
): void {
  (container.modem as Modem).demuxStream(stream, stdout, stderr);
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
  remove(options: object): Promise<unknown>;
}): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
    debug('engine: removed container %s', (container as { id?: string }).id ?? '');
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
  }
}
