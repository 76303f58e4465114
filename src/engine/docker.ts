/**
 * The only module that knows dockerode: the one place that constructs an engine client, for Docker or
 * Podman (whose Docker-compatible API tcup speaks the same way), found where users expect it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { debug } from '../core/log.js';
import type { Engine, EngineAttachOptions, EngineLocation } from './engine.js';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const PODMAN_ROOTFUL_SOCKET = '/run/podman/podman.sock';

/** What the file system says of a candidate socket. */
export type SocketState = 'usable' | 'no access' | 'none';

/**
 * Where tcup finds its engine, as Docker's and Podman's own clients do: DOCKER_HOST, else the first
 * socket this user may use of Docker's, Podman's rootful one and the user's rootless Podman one (a host
 * may have Docker for root and Podman for its users); else the first that exists (its error then says
 * why), else Docker's. `socketState` is the file system's answer (a parameter for tests).
 */
export function locateEngine(
  env: Readonly<Record<string, string | undefined>>,
  socketState: (path: string) => SocketState = stateOfSocket,
): EngineLocation {
  if (env.DOCKER_HOST) return { address: env.DOCKER_HOST, source: 'DOCKER_HOST', tried: ['DOCKER_HOST'] };
  const candidates: [string, string][] = [
    [DOCKER_SOCKET, 'the Docker socket'],
    [PODMAN_ROOTFUL_SOCKET, "Podman's rootful socket"],
  ];
  if (env.XDG_RUNTIME_DIR)
    candidates.push([`${env.XDG_RUNTIME_DIR}/podman/podman.sock`, "Podman's rootless socket"]);
  const tried = candidates.map(([path]) => `unix://${path}`);
  const states = candidates.map(([path]) => socketState(path));
  const found =
    candidates[states.indexOf('usable')] ?? candidates[states.indexOf('no access')] ?? candidates[0]!;
  return { address: `unix://${found[0]}`, source: found[1], tried };
}

function stateOfSocket(path: string): SocketState {
  try {
    if (!statSync(path).isSocket()) return 'none';
  } catch {
    return 'none';
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return 'usable';
  } catch {
    return 'no access';
  }
}

/** The engine client of tcup: dockerode with its address, and an attach that works on Podman too. */
export class EngineClient extends Docker {
  readonly location: EngineLocation;
  constructor(location: EngineLocation) {
    const { address } = location;
    // tcp:// and TLS settings: docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
    super(address.startsWith('unix://') ? { socketPath: address.slice('unix://'.length) } : undefined);
    this.location = location;
  }

  override getContainer(id: string): Docker.Container {
    const container = super.getContainer(id);
    // dockerode sends attach's options as a JSON body too; Docker ignores it, Podman writes it into the
    // container's stdin before tcup's request line (podman #6913). tcup's attach sends no body.
    (container as unknown as { attach: (o: EngineAttachOptions) => Promise<Duplex> }).attach = (options) =>
      attachWithoutBody(this.modem as unknown as ModemConnection, id, options);
    return container;
  }
}

/** What docker-modem knows of its connection. */
interface ModemConnection {
  socketPath?: string;
  host?: string;
  port?: string | number;
  protocol?: 'http' | 'https' | 'ssh';
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/**
 * `POST /containers/{id}/attach` as the Docker CLI sends it: options in the query, an empty body, and the
 * connection upgraded to a raw stream (stdin written to it, stdout/stderr multiplexed from it).
 */
function attachWithoutBody(
  modem: ModemConnection,
  id: string,
  options: EngineAttachOptions,
): Promise<Duplex> {
  const query = new URLSearchParams({
    stream: String(options.stream),
    stdin: String(options.stdin),
    stdout: String(options.stdout),
    stderr: String(options.stderr),
  });
  const path = `/containers/${encodeURIComponent(id)}/attach?${query.toString()}`;
  const headers = { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Length': '0' };
  if (modem.protocol === 'ssh')
    return Promise.reject(new Error('tcup does not attach to an engine over ssh://'));
  const request = modem.socketPath
    ? http.request({ socketPath: modem.socketPath, method: 'POST', path, headers })
    : (modem.protocol === 'https' ? https : http).request({
        host: modem.host,
        port: modem.port,
        method: 'POST',
        path,
        headers,
        ...(modem.protocol === 'https' ? { ca: modem.ca, cert: modem.cert, key: modem.key } : {}),
      });
  return new Promise((resolve, reject) => {
    request.on('upgrade', (_response, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const message = (() => {
          try {
            const said = (JSON.parse(body) as { message?: unknown }).message;
            return typeof said === 'string' ? said : body;
          } catch {
            return body;
          }
        })();
        reject(
          Object.assign(new Error(`(HTTP code ${response.statusCode ?? '?'}) attach: ${message.trim()}`), {
            statusCode: response.statusCode,
          }),
        );
      });
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * The engine tcup finds (locateEngine). Typed as the dockerode client, which is an Engine, so the test
 * beds may use the rest of its API; tcup's own code holds it as an Engine.
 */
export function createEngine(env: Readonly<Record<string, string | undefined>>): EngineClient {
  const location = locateEngine(env);
  debug('engine: %s (%s)', location.address, location.source);
  return new EngineClient(location);
}

/** Compile-time proof that tcup's engine client is what tcup calls an Engine. */
export const asEngine = (docker: EngineClient): Engine => docker;
