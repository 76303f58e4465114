/**
 * Upload of a RefStack results document: validation against the server's rules (before anything is sent),
 * the signed or anonymous POST, and one sentence per answer that says what to do next.
 *
 * Exactly once: RefStack stores a run as soon as it has processed the POST, whatever becomes of the answer,
 * and has no idempotency key. So the POST is sent again only when it provably never left this machine; after
 * a timeout or a 5xx the outcome is unknown, and the error says so and how to look.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { TcupError } from '../core/errors.js';
import { describeNetworkError, neverSent, type HttpClient } from '../core/http.js';
import type { RefstackDocument } from '../results/tests.js';
import { isLatin1, latin1SwedishKey } from './collation.js';
import { signBody, sshPublicLine } from './signing.js';

import { DEFAULT_REFSTACK_URL } from '../core/defaults.js';

const KEYS = ['cpid', 'duration_seconds', 'results'] as const;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const MAX_NAME = 512;
const MAX_CPID = 128;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const chars = (s: string): number => [...s].length;
const short = (s: string, max = 80): string => (chars(s) > max ? `${[...s].slice(0, max).join('')}…` : s);
const where = (indexes: number[]): string =>
  indexes.length === 1 ? `results[${indexes[0]}]` : `${indexes.length} results, first results[${indexes[0]}]`;

function validateResults(results: unknown[]): string[] {
  const problems: string[] = [];
  if (results.length === 0)
    return ['the document has no passing test; RefStack needs at least one passed test in "results"'];
  const bad = { shape: [] as number[], extra: [] as number[], long: [] as number[], latin: [] as number[] };
  const badUuid: number[] = [];
  const seen = new Map<string, string>();
  const dups: string[] = [];
  results.forEach((r, i) => {
    if (!isObject(r) || typeof r.name !== 'string' || r.name === '') return void bad.shape.push(i);
    if (Object.keys(r).some((k) => k !== 'name' && k !== 'uuid')) bad.extra.push(i);
    if (r.uuid !== undefined && (typeof r.uuid !== 'string' || !UUID.test(r.uuid))) badUuid.push(i);
    if (chars(r.name) > MAX_NAME) bad.long.push(i);
    if (!isLatin1(r.name)) return void bad.latin.push(i);
    // RefStack's unique key on the name compares as MySQL's latin1_swedish_ci does.
    const key = latin1SwedishKey(r.name) ?? r.name;
    const first = seen.get(key);
    if (first !== undefined)
      dups.push(first === r.name ? short(r.name) : `${short(first)} / ${short(r.name)}`);
    else seen.set(key, r.name);
  });
  if (bad.shape.length) problems.push(`every result needs a non-empty string "name" (${where(bad.shape)})`);
  if (bad.extra.length) problems.push(`a result may only have "name" and "uuid" (${where(bad.extra)})`);
  if (badUuid.length) problems.push(`a result's "uuid" must be a UUID (${where(badUuid)})`);
  if (dups.length)
    problems.push(
      `test names must be unique, also ignoring case, accents (é = e, ü = y) and trailing spaces; repeated: ${dups.slice(0, 3).join(', ')}` +
        (dups.length > 3 ? ` and ${dups.length - 3} more` : ''),
    );
  if (bad.long.length) problems.push(`test names may be at most ${MAX_NAME} characters (${where(bad.long)})`);
  if (bad.latin.length)
    problems.push(`test names may only use latin-1 (Windows-1252) characters (${where(bad.latin)})`);
  return problems;
}

/** The RefStack rules a document breaks, one sentence each; empty when it can be sent. */
export function validateDocument(doc: unknown): string[] {
  if (!isObject(doc)) return ['the results document must be a JSON object'];
  const problems: string[] = [];
  for (const key of KEYS) if (!(key in doc)) problems.push(`the document has no "${key}"`);
  const extra = Object.keys(doc).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (extra.length)
    problems.push(
      `the document may only have cpid, duration_seconds and results; it also has ${extra.map((k) => `"${short(k, 40)}"`).join(', ')}`,
    );
  if ('cpid' in doc) {
    if (typeof doc.cpid !== 'string') problems.push('"cpid" must be a string');
    else if (chars(doc.cpid) > MAX_CPID) problems.push(`"cpid" may be at most ${MAX_CPID} characters`);
    else if (!isLatin1(doc.cpid)) problems.push('"cpid" may only use latin-1 (Windows-1252) characters');
  }
  if ('duration_seconds' in doc) {
    const d = doc.duration_seconds;
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      problems.push('"duration_seconds" must be a whole, non-negative number of seconds');
  }
  if ('results' in doc) {
    if (!Array.isArray(doc.results)) problems.push('"results" must be a list of passed tests');
    else problems.push(...validateResults(doc.results));
  }
  return problems;
}

export interface UploadOptions {
  /** The API base, e.g. https://refstack.openstack.org/api (a trailing slash is fine). */
  url: string;
  /** Sign with this RSA key (the result then belongs to the key's owner and stays private). */
  key?: KeyObject;
  signal?: AbortSignal;
  /** How often the POST is sent again when it never reached the server (default 3). */
  retries?: number;
  /** First backoff delay in ms (default 500), doubled each retry. */
  backoffMs?: number;
  /** Told before the POST is sent again (it never reached the server). */
  onRetry?: (attempt: number, attempts: number, reason: string) => void;
}

export interface UploadResult {
  testId: string;
  url: string;
}

/**
 * What became of a failed upload: `not-sent` (it never reached the server, or broke a rule and was kept
 * back), `refused` (the server answered no: nothing stored), `unknown` (sent, but whether it was stored is
 * not known: a timeout, a cut connection, a 5xx).
 */
export type UploadFailure = 'not-sent' | 'refused' | 'unknown';

export class UploadError extends TcupError {
  constructor(
    readonly outcome: UploadFailure,
    message: string,
    hint: string,
    options?: ErrorOptions,
  ) {
    super('UPLOAD_FAILED', message, hint, options);
  }
}

/** The API base as given, without trailing slashes. Throws USAGE for a URL RefStack cannot be under. */
function apiBase(base: string): string {
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new TcupError(
      'USAGE',
      'the RefStack URL is not a valid URL',
      `give the API base, e.g. ${DEFAULT_REFSTACK_URL}`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new TcupError(
      'USAGE',
      'the RefStack URL must start with https:// or http://',
      `e.g. ${DEFAULT_REFSTACK_URL}`,
    );
  if (parsed.search || parsed.hash || /[?#]/.test(base))
    throw new TcupError(
      'USAGE',
      'the RefStack URL must not have a query string or a fragment (?… or #…)',
      `give the API base only, e.g. ${DEFAULT_REFSTACK_URL}`,
    );
  return base.replace(/\/+$/, '');
}

/** The results endpoint for an API base: `${base}/v1/results/`. Throws USAGE for a URL that cannot be one. */
export function resultsEndpoint(base: string): string {
  return `${apiBase(base)}/v1/results/`;
}

/** The server's list of results for a cpid (newest first), where an upload of unknown outcome can be found. */
export function resultsListUrl(base: string, cpid: string): string {
  return shownUrl(`${apiBase(base)}/v1/results?cpid=${encodeURIComponent(cpid)}`, true);
}

/** The URL without credentials (and without query or fragment unless `withQuery`): safe to print. */
export function shownUrl(url: string, withQuery = false): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}${withQuery ? u.search : ''}`;
}

/** The exact bytes that are sent (and signed) for a document. */
export function requestBody(doc: RefstackDocument): Buffer {
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

/** sha256 (hex) of the bytes sent for a document: what tells two uploads of the same results. */
export function documentDigest(doc: RefstackDocument): string {
  return createHash('sha256').update(requestBody(doc)).digest('hex');
}

/** Sends the document (validated first); resolves with the result id and page, or throws an UploadError. */
export async function uploadResults(
  http: HttpClient,
  doc: RefstackDocument,
  options: UploadOptions,
): Promise<UploadResult> {
  const problems = validateDocument(doc);
  if (problems.length)
    throw new UploadError(
      'not-sent',
      `the results document breaks RefStack's rules and was not sent: ${problems.join('; ')}`,
      'the results stay saved locally; fix the document (refstack.json)',
    );
  const endpoint = resultsEndpoint(options.url);
  const body = requestBody(doc);
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (options.key) {
    headers['X-Signature'] = signBody(options.key, body);
    headers['X-Public-Key'] = sshPublicLine(options.key);
  }
  const retries = options.retries ?? 3;
  const ctx: AnswerContext = { endpoint, base: options.url, cpid: doc.cpid, signed: Boolean(options.key) };
  let attempts = 1;
  let res;
  try {
    res = await http.request(endpoint, {
      method: 'POST',
      headers,
      body,
      retries,
      backoffMs: options.backoffMs ?? 500,
      onRetry: (attempt, error) => {
        attempts = attempt;
        options.onRetry?.(attempt, retries + 1, describeNetworkError(error));
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const phrase = describeNetworkError(error);
    if (neverSent(error))
      throw new UploadError(
        'not-sent',
        `could not reach the RefStack server at ${shownUrl(endpoint)}: ${phrase}` +
          `${attempts > 1 ? ` (${attempts} attempts)` : ''}; nothing was sent`,
        unreachableHint(options.url),
        { cause: error },
      );
    throw new UploadError(
      'unknown',
      `the results were sent to ${shownUrl(endpoint)} but no answer came (${phrase}), so whether RefStack stored them is unknown`,
      checkFirstHint(ctx),
      { cause: error },
    );
  }
  return answerOf(res.status, res.text, ctx);
}

function unreachableHint(base: string): string {
  return new URL(base).hostname === new URL(DEFAULT_REFSTACK_URL).hostname
    ? 'the public RefStack server may no longer answer (the interop programme has wound down); use --refstack-url for another server'
    : 'check --refstack-url, the proxy settings and the network';
}

interface AnswerContext {
  endpoint: string;
  base: string;
  cpid: string;
  signed: boolean;
}

/** How to find out whether an upload of unknown outcome was stored, before sending it again. */
export function checkFirstHint(ctx: { base: string; cpid: string; signed: boolean }): string {
  const list = resultsListUrl(ctx.base, ctx.cpid);
  return ctx.signed
    ? `before uploading again, look for this run among your results on the RefStack site (a signed run is private: ${list}&signed lists it only to its owner, logged in)`
    : `before uploading again, look for this run in the server's results for this cloud (newest first): GET ${list}`;
}

/** A short, single-line piece of server text (never our own body). */
function serverText(text: string): { title?: string; detail?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return {};
    const clean = (v: unknown) =>
      typeof v === 'string' && v.trim() ? short(v.replace(/\s+/g, ' ').trim(), 200) : undefined;
    const title = clean(parsed.title);
    const detail = clean(parsed.detail) ?? clean(parsed.message);
    return { ...(title ? { title } : {}), ...(detail ? { detail } : {}) };
  } catch {
    return {};
  }
}

const TITLE_HINTS: [RegExp, string][] = [
  [
    /signature verification failed/i,
    'the signature does not match the public key sent or the body changed on the way (a proxy that rewrites requests?); sign again with the same private key',
  ],
  [
    /malformed signature/i,
    'the X-Signature header was damaged on the way; this is a bug if it happens without a proxy',
  ],
  [/malformed public key/i, 'the X-Public-Key header is not a valid ssh-rsa line; use an RSA key'],
  [/at least one passing test/i, 'no test passed in this run, so there is nothing to upload'],
  [/schema/i, 'the document does not have the shape RefStack expects; the saved file may have been edited'],
  [/malformed request/i, 'the server received no readable JSON (a proxy that drops the body?)'],
];

function answerOf(status: number, text: string, ctx: AnswerContext): UploadResult {
  const refused = (message: string, hint: string) => new UploadError('refused', message, hint);
  const { title, detail } = serverText(text);
  if (status === 200 || status === 201) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UploadError(
        'refused',
        `the RefStack server answered ${status} but not with JSON, so the upload cannot be confirmed`,
        'check --refstack-url: it must be the API base (e.g. https://refstack.openstack.org/api), not the web page',
      );
    }
    if (!isObject(parsed) || typeof parsed.test_id !== 'string' || parsed.test_id === '')
      throw new UploadError(
        'refused',
        `the RefStack server answered ${status} without a result id, so the upload cannot be confirmed`,
        'check --refstack-url: it must point to a RefStack API',
      );
    const url =
      typeof parsed.url === 'string' && parsed.url ? parsed.url : `${ctx.endpoint}${parsed.test_id}`;
    return { testId: parsed.test_id, url };
  }
  if (status === 400) {
    const what = title ?? detail ?? 'no reason given';
    const hint = TITLE_HINTS.find(([re]) => re.test(what))?.[1] ?? 'the results stay saved locally';
    throw refused(`RefStack refused the results: ${what}`, hint);
  }
  if (status === 401 || status === 403) {
    const what = detail ?? title ?? 'unauthorized';
    if (/key not found|upload your key/i.test(what))
      throw refused(
        `RefStack refused the results: the signing key is not registered (${what})`,
        'register the public key in your RefStack profile (tcup sign KEY prints it)',
      );
    if (!ctx.signed)
      throw refused(
        `RefStack refused the results: the server does not accept anonymous uploads (${what})`,
        'the server does not accept anonymous uploads: sign with --sign KEY (an RSA key registered in your RefStack profile)',
      );
    throw refused(
      `RefStack refused the signed results: ${what}`,
      'check that the key is registered in your RefStack profile',
    );
  }
  if (status >= 500)
    throw new UploadError(
      'unknown',
      `the RefStack server answered HTTP ${status}${title ? ` (${title})` : ''} to the upload, so whether it stored the results is unknown`,
      checkFirstHint(ctx),
    );
  throw refused(
    `the RefStack server answered HTTP ${status}${title ? ` (${title})` : ''} at ${shownUrl(ctx.endpoint)}`,
    `check --refstack-url: it must be the API base, e.g. ${DEFAULT_REFSTACK_URL}`,
  );
}

export interface DescribeUploadOptions {
  url: string;
  signed: boolean;
}

const readers = (signed: boolean) =>
  signed
    ? 'Signed: the results belong to the key owner and stay private until the owner shares them.'
    : 'Warning: anonymous upload: anyone who has the result id or link can read these results.';

/** The short text shown before asking for consent: where, what would be sent, and who can read it. */
export function describeUpload(doc: RefstackDocument, options: DescribeUploadOptions): string {
  const n = doc.results.length;
  const lines = [
    `Upload to ${shownUrl(resultsEndpoint(options.url))}`,
    `  ${n} passed test${n === 1 ? '' : 's'}, cpid ${doc.cpid}, ${doc.duration_seconds} s`,
    '  What is sent: the cpid, the duration and the ids of the passed tests only (no user name, project or URL).',
    `  ${readers(options.signed)}`,
  ];
  return lines.join('\n');
}

/** What was sent, said once the server has confirmed it. */
export function describeSent(doc: RefstackDocument, options: DescribeUploadOptions): string {
  const n = doc.results.length;
  return [
    `sent to ${shownUrl(resultsEndpoint(options.url))}: ${n} passed test${n === 1 ? '' : 's'}, cpid ${doc.cpid}, ${doc.duration_seconds} s (nothing else)`,
    `  ${readers(options.signed)}`,
  ].join('\n');
}
