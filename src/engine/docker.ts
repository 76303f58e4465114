/** The only module that knows dockerode: the one place that constructs a Docker client. */
import Docker from 'dockerode';
import { debug } from '../core/log.js';
import type { Engine } from './engine.js';

/**
 * The engine DOCKER_HOST names (default: the local socket). Typed as the dockerode client, which is an
 * Engine, so the test beds may use the rest of its API; tcup's own code holds it as an Engine.
 */
export function createEngine(env: Readonly<Record<string, string | undefined>>): Docker {
  const host = env.DOCKER_HOST;
  debug('engine: %s', host ?? 'unix:///var/run/docker.sock');
  if (host?.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host) return new Docker(); // tcp:// and TLS settings: docker-modem reads DOCKER_HOST/DOCKER_CERT_PATH
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

/** Compile-time proof that the dockerode client is what tcup calls an Engine. */
export const asEngine = (docker: Docker): Engine => docker;
