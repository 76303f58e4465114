/**
 * One account's view of the cloud's REST APIs: its token and the catalog it came with. Service URLs are
 * normalised to the API version tcup speaks (Nova v2.1, Glance v2, Neutron v2.0, Cinder v3). The token
 * is a secret: callers register it with the redactor; no message here carries it.
 */
import { TcupError } from '../core/errors.js';
import { describeNetworkError, type HttpClient } from '../core/http.js';
import { findEndpoint, type CatalogEntry } from './keystone.js';

export type ServiceKind = 'compute' | 'image' | 'network' | 'volume';

/** Catalog types for each kind, in order of preference. */
const TYPES: Record<ServiceKind, string[]> = {
  compute: ['compute'],
  image: ['image'],
  network: ['network'],
  volume: ['block-storage', 'volumev3', 'volume'],
};

export interface ProjectSession {
  /** Who this is, for messages: the account's user name. */
  who: string;
  projectId: string;
  has(kind: ServiceKind): boolean;
  /** `undefined` on 404. */
  get(kind: ServiceKind, path: string): Promise<unknown>;
  /** The status, and the answer's JSON body when it has one. */
  send(
    kind: ServiceKind,
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body?: unknown }>;
  /** Raw upload (Glance image data). */
  upload(kind: ServiceKind, path: string, data: Buffer): Promise<number>;
  /**
   * The same account and token under another signal: the look at the test projects after an interrupt
   * (the run's signal has fired; the look has a deadline of its own).
   */
  withSignal(signal: AbortSignal): ProjectSession;
}

export interface SessionOptions {
  http: HttpClient;
  token: string;
  /**
   * A new token for the same account (authenticating again with the credentials it holds): asked once,
   * when an API answers 401 (a token expires after an hour by default, and a long run outlives it; a
   * password change or an operator revokes it). The request is then sent again with the new token.
   */
  renew?: ((signal: AbortSignal | undefined) => Promise<string>) | undefined;
  catalog: readonly CatalogEntry[];
  projectId: string;
  who: string;
  iface: string;
  region?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The base URL of a service kind in the versions tcup speaks (pure). */
export function serviceUrl(
  catalog: readonly CatalogEntry[],
  kind: ServiceKind,
  iface: string,
  region?: string,
): string | undefined {
  for (const type of TYPES[kind]) {
    const url = findEndpoint(catalog, type, iface, region);
    if (url) return versioned(kind, url.replace(/\/+$/, ''));
  }
  return undefined;
}

function versioned(kind: ServiceKind, url: string): string {
  switch (kind) {
    case 'image':
      return /\/v2(\.\d+)?$/.test(url) ? url : `${url}/v2`;
    case 'network':
      return /\/v2\.0$/.test(url) ? url : `${url}/v2.0`;
    case 'compute':
    case 'volume':
      return url; // their catalog URLs carry the version (and often the project id)
  }
}

export function projectSession(o: SessionOptions): ProjectSession {
  const urls = new Map<ServiceKind, string>();
  for (const kind of Object.keys(TYPES) as ServiceKind[]) {
    const url = serviceUrl(o.catalog, kind, o.iface, o.region);
    if (url) urls.set(kind, url);
  }
  const base = (kind: ServiceKind) => {
    const url = urls.get(kind);
    if (!url) throw new TcupError('RUN_FAILED', `the catalog of ${o.who} has no ${kind} service`);
    return url;
  };
  let token = o.token;
  /** The one renewal (shared by the requests that met the 401 together); a failed one is not retried. */
  let renewal: Promise<string | undefined> | undefined;
  const renewOnce = (stale: string): Promise<string | undefined> => {
    if (!o.renew) return Promise.resolve(undefined);
    renewal ??= o.renew(o.signal).then(
      (fresh) => (token = fresh),
      () => undefined,
    );
    return renewal.then((fresh) => (fresh === stale ? undefined : fresh));
  };
  const headers = (extra: Record<string, string> = {}) => ({
    accept: 'application/json',
    ...extra,
  });
  const call = async (
    kind: ServiceKind,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    init: { headers: Record<string, string>; body?: string | Buffer },
  ) => {
    const url = base(kind) + path;
    const send = (with_: string) =>
      o.http.request(url, {
        method,
        ...init,
        headers: { ...init.headers, 'x-auth-token': with_ },
        retries: method === 'GET' ? 2 : 0,
        ...(o.signal ? { signal: o.signal } : {}),
      });
    try {
      const used = token;
      const res = await send(used);
      if (res.status !== 401) return res;
      const fresh = await renewOnce(used);
      return fresh === undefined ? res : await send(fresh);
    } catch (error) {
      if (o.signal?.aborted) throw error;
      throw new TcupError(
        'RUN_FAILED',
        `cannot reach the ${kind} API (${new URL(url).host}) as ${o.who}: ${describeNetworkError(error)}`,
        'check that this machine reaches every endpoint of the catalog',
        { cause: error },
      );
    }
  };
  return {
    who: o.who,
    projectId: o.projectId,
    has: (kind) => urls.has(kind),
    withSignal: (signal) => projectSession({ ...o, token, signal }),
    async get(kind, path) {
      const res = await call(kind, 'GET', path, { headers: headers() });
      if (res.status === 404) return undefined;
      if (res.status !== 200)
        throw new TcupError(
          'RUN_FAILED',
          `the ${kind} API answered HTTP ${res.status} to GET ${path.split('?')[0]} as ${o.who}`,
          res.status === 401 && o.renew
            ? 'the account logged in again and was still refused: check that it is enabled and its password unchanged'
            : res.status === 401 || res.status === 403
              ? 'check the account’s role in its project'
              : undefined,
        );
      try {
        return JSON.parse(res.text) as unknown;
      } catch {
        throw new TcupError(
          'RUN_FAILED',
          `the ${kind} API's answer to GET ${path.split('?')[0]} is not JSON`,
        );
      }
    },
    async send(kind, method, path, body) {
      const res = await call(kind, method, path, {
        headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      try {
        return { status: res.status, body: JSON.parse(res.text) as unknown };
      } catch {
        return { status: res.status };
      }
    },
    async upload(kind, path, data) {
      const res = await call(kind, 'PUT', path, {
        headers: headers({ 'content-type': 'application/octet-stream' }),
        body: data,
      });
      return res.status;
    },
  };
}

/** Every item of a paged list: follows Glance's `next` and Nova/Neutron/Cinder `*_links` rel=next. */
export async function listAll(
  s: ProjectSession,
  kind: ServiceKind,
  path: string,
  key: string,
  maxPages = 50,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  for (let page = 0; next && page < maxPages; page++) {
    const body = await s.get(kind, next);
    if (!isRecord(body)) break;
    const list = body[key];
    if (Array.isArray(list)) for (const item of list) if (isRecord(item)) items.push(item);
    next = nextPath(body, key, path);
  }
  return items;
}

function nextPath(body: Record<string, unknown>, key: string, first: string): string | undefined {
  const glance = body.next;
  if (typeof glance === 'string') return glance.replace(/^\/v2/, '');
  const links = body[`${key}_links`];
  if (!Array.isArray(links)) return undefined;
  const link = links.find((l) => isRecord(l) && l.rel === 'next') as Record<string, unknown> | undefined;
  if (!link || typeof link.href !== 'string') return undefined;
  // Keep our path's prefix; take the query of the link (its marker).
  const query = new URL(link.href).search;
  return first.split('?')[0] + query;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
