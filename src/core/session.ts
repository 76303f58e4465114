/**
 * A run's session id, the value of the `tcup.session` label: `<host>/<pid>/<random>`, so that a later tcup
 * on the same host can tell the containers of a launcher that died (SIGKILL, a crash) from live ones.
 */
import { randomBytes } from 'node:crypto';

export interface Owner {
  host: string;
  pid: number;
  isAlive: (pid: number) => boolean;
}

export function newSession(owner: Pick<Owner, 'host' | 'pid'>): string {
  return `${owner.host}/${owner.pid}/${randomBytes(4).toString('hex')}`;
}

/** True when the session belongs to a launcher on this host that is no longer running. */
export function isOrphaned(session: string, owner: Owner): boolean {
  const [host, pid] = session.split('/');
  const n = Number(pid);
  return host === owner.host && Number.isInteger(n) && n > 0 && n !== owner.pid && !owner.isAlive(n);
}
