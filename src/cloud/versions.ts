/**
 * The cloud's version documents, as a non-admin (or anyone) gets them: Keystone's v3 document at the
 * auth URL, Nova's root version list, Swift's /info. Plain GETs without a token, in parallel, each
 * bounded by a short timeout; a document that does not answer is left out (the choice then falls back).
 */
import type { HttpClient } from '../core/http.js';
import { findEndpoint, identityUrl, type CatalogEntry } from './keystone.js';

export interface VersionProbe {
  http: HttpClient;
  authUrl: string;
  catalog: readonly CatalogEntry[];
  iface: string;
  region?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Per document (default 5 s). */
  timeoutMs?: number;
}

/** The JSON bodies (undefined: no such service, or no usable answer), and the URLs asked. */
export interface ProbedDocuments {
  identity?: unknown;
  compute?: unknown;
  objectStore?: unknown;
  asked: string[];
}

/** `https://host/compute/v2.1/abc` → `https://host/compute/`: where Nova lists its versions. */
export function computeRoot(endpoint: string): string {
  const url = new URL(endpoint);
  url.pathname = url.pathname.replace(/\/v2(\.\d+)?(\/.*)?$/, '/');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  return url.toString();
}

/** `https://host:8080/v1/AUTH_abc` → `https://host:8080/info`. */
export function swiftInfo(endpoint: string): string {
  const url = new URL(endpoint);
  url.pathname = url.pathname.replace(/\/v1(\/.*)?$/, '') + '/info';
  url.search = '';
  return url.toString();
}

export async function probeVersions(p: VersionProbe): Promise<ProbedDocuments> {
  const compute = findEndpoint(p.catalog, 'compute', p.iface, p.region);
  const object = findEndpoint(p.catalog, 'object-store', p.iface, p.region);
  const targets: [keyof Omit<ProbedDocuments, 'asked'>, string][] = [['identity', identityUrl(p.authUrl)]];
  if (compute) targets.push(['compute', computeRoot(compute)]);
  if (object) targets.push(['objectStore', swiftInfo(object)]);
  const docs = await Promise.all(targets.map(([, url]) => getJson(p, url)));
  const out: ProbedDocuments = { asked: targets.map(([, url]) => url) };
  targets.forEach(([key], i) => {
    if (docs[i] !== undefined) out[key] = docs[i];
  });
  return out;
}

async function getJson(p: VersionProbe, url: string): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), p.timeoutMs ?? 5_000);
  const onAbort = () => controller.abort();
  p.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await p.http.request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      signal: controller.signal,
    });
    // Nova's root answers 300 Multiple Choices with the version list.
    if (res.status !== 200 && res.status !== 300) return undefined;
    return JSON.parse(res.text) as unknown;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    p.signal?.removeEventListener('abort', onAbort);
  }
}
