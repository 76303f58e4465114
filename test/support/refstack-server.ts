/**
 * A RefStack-compatible API server for tests, on 127.0.0.1 with a free port, answering as
 * ../shared/docs/refstack-and-interop.md records the real one (openstack/refstack behind a plain WSGI server).
 * Independent of tcup's own signing code on purpose: it verifies with node:crypto from the ssh-rsa line.
 * Error bodies follow refstack's JSONErrorHook: validation errors `{"title", "code"}`, aborts (401)
 * `{"code", "title", "detail"}`.
 *
 * Like the real one (the doc's "re-checked" section): a run is stored as soon as the POST is processed,
 * whatever becomes of the answer (`holdAnswers`: stored, answered only after the client gave up); test names
 * are a unique key under MySQL's latin1_swedish_ci (a duplicate there is a 500, nothing stored); the
 * results of a cpid are listed by `GET /v1/results?cpid=`; `refuseConnections` makes the port refuse.
 */
import { createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE_GUIDELINES = path.resolve(REPO_ROOT, '../shared/fixtures/interop');

export const KEY_NOT_FOUND =
  'User with specified key not found. Please log into the RefStack server to upload your key.';
/** Not in the reference doc (it records only "401"): a plausible text for a server without anonymous uploads. */
export const ANONYMOUS_DISABLED =
  'Anonymous result uploads are disabled. Please sign your results with a registered key.';

export interface RefstackServerOptions {
  /** ssh-rsa public lines whose owners may upload signed results. */
  registeredKeys?: string[];
  /** Accept unsigned uploads (default true). */
  anonymous?: boolean;
  /** Answer `failStatus` (default 503) to the first N POSTs (Infinity: always). */
  failTimes?: number;
  failStatus?: number;
  /** Accept chunked bodies as gunicorn does (default false: a plain WSGI server sees an empty body). */
  acceptChunked?: boolean;
  /** Emulate a server that cannot fetch guideline files from GitHub. */
  guidelinesUnavailable?: boolean;
  guidelinesDir?: string;
  /** Base of the result pages in 201 answers (default: the server's origin). */
  uiUrl?: string;
  /** Store the next N POSTs as usual but answer them only once the client has closed the connection. */
  holdAnswers?: number;
}

export interface ReceivedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  chunked: boolean;
}

export interface StoredResult {
  id: string;
  /** The exact bytes received. */
  rawBody: Buffer;
  doc: { cpid: string; duration_seconds: number; results: { name: string; uuid?: string }[] };
  /** The base64 part of the signing key, for signed uploads. */
  owner?: string;
  createdAt: string;
}

export interface RefstackTestServer {
  /** The API base, like https://refstack.openstack.org/api. */
  url: string;
  received: ReceivedRequest[];
  stored: Map<string, StoredResult>;
  registerKey(publicLine: string): void;
  setAnonymous(allowed: boolean): void;
  setFailures(times: number, status?: number): void;
  /** The next N POSTs are stored, and answered only after the client has given up (closed the socket). */
  holdAnswers(times: number): void;
  /** Stops listening (the port then refuses connections) and drops the open ones. */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  close(): Promise<void>;
}

type Answer = { status: number; body: string; type: string };
const json = (status: number, body: unknown): Answer => ({
  status,
  body: JSON.stringify(body),
  type: 'application/json',
});
const text = (status: number, body: string): Answer => ({ status, body, type: 'text/plain; charset=utf-8' });
const badRequest = (title: string) => json(400, { title, code: 400 });
const unauthorized = (detail: string) => json(401, { code: 401, title: 'Unauthorized', detail });
const internalError = () => json(500, { title: 'Internal Server Error', code: 500 });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const UUID_HEX = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The jsonschema refstack validates uploads with: exactly three keys, typed; results items name (+uuid). */
function matchesSchema(doc: unknown): doc is StoredResult['doc'] {
  if (!isObject(doc)) return false;
  const keys = Object.keys(doc);
  if (keys.some((k) => !['cpid', 'duration_seconds', 'results'].includes(k))) return false;
  if (typeof doc.cpid !== 'string') return false;
  if (typeof doc.duration_seconds !== 'number' || !Number.isInteger(doc.duration_seconds)) return false;
  if (!Array.isArray(doc.results)) return false;
  return doc.results.every(
    (r) =>
      isObject(r) &&
      typeof r.name === 'string' &&
      Object.keys(r).every((k) => k === 'name' || k === 'uuid') &&
      (r.uuid === undefined || (typeof r.uuid === 'string' && UUID_HEX.test(r.uuid))),
  );
}

/** Parses an `ssh-rsa AAAA... [comment]` line into a public key; undefined when malformed. */
function parseSshPublicKey(line: string): { type: string; blob: string; key?: KeyObject } | undefined {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return undefined;
  const buf = Buffer.from(blob, 'base64');
  const fields: Buffer[] = [];
  for (let pos = 0; pos < buf.length;) {
    if (pos + 4 > buf.length) return undefined;
    const len = buf.readUInt32BE(pos);
    if (pos + 4 + len > buf.length) return undefined;
    fields.push(buf.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  const inner = fields[0]?.toString('latin1');
  if (inner !== type) return undefined;
  if (type !== 'ssh-rsa') return fields.length >= 2 ? { type, blob } : undefined;
  const [, e, n] = fields;
  if (!e || !n || fields.length !== 3) return undefined;
  const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
  try {
    const key = createPublicKey({
      key: { kty: 'RSA', e: strip(e).toString('base64url'), n: strip(n).toString('base64url') },
      format: 'jwk',
    });
    return { type, blob, key };
  } catch {
    return undefined;
  }
}

/** MySQL's latin1 is Windows-1252: its bytes 0x80-0x9F hold these (five stand for C1 controls). */
const CP1252_EXTRA = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const latin1 = (s: string) =>
  [...s].every((c) => {
    const cp = c.codePointAt(0) ?? 0;
    return cp < 0x80 || (cp >= 0xa0 && cp <= 0xff) || CP1252_EXTRA.includes(c);
  });

/**
 * Characters latin1_swedish_ci takes for one (one group a line); any other character is only itself, and
 * ASCII letters match their other case. From MySQL's strings/ctype-latin1 `sort_order_latin1`.
 */
const SAME_UNDER_SWEDISH_CI = [
  'AÀÁÂÃàáâã',
  'CÇç',
  'DÐð',
  'EÈÉÊËèéêë',
  'IÌÍÎÏìíîï',
  'NÑñ',
  'OÒÓÔÕòóôõ',
  'UÙÚÛùúû',
  'YÜÝüý',
  '[Åå',
  '\\ÄÆäæ',
  ']Öö',
  'Øø',
  'Þþ',
];
const SWEDISH_CLASS = new Map<string, string>();
for (const group of SAME_UNDER_SWEDISH_CI) for (const c of group) SWEDISH_CLASS.set(c, group[0] ?? c);
/** The name as the unique key sees it: one character per class, upper case, trailing spaces dropped. */
const uniqueKey = (name: string) =>
  [...name.replace(/ +$/, '')]
    .map((c) => SWEDISH_CLASS.get(c) ?? (/[a-z]/.test(c) ? c.toUpperCase() : c))
    .join('');

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRefstackServer(options: RefstackServerOptions = {}): Promise<RefstackTestServer> {
  const registered = new Set<string>();
  const registerKey = (line: string) => {
    const blob = line.trim().split(/\s+/)[1];
    if (blob) registered.add(blob);
  };
  for (const line of options.registeredKeys ?? []) registerKey(line);
  let anonymous = options.anonymous ?? true;
  let failTimes = options.failTimes ?? 0;
  let failStatus = options.failStatus ?? 503;
  let posts = 0;
  let hold = options.holdAnswers ?? 0;
  const received: ReceivedRequest[] = [];
  const stored = new Map<string, StoredResult>();
  const guidelinesDir = options.guidelinesDir ?? FIXTURE_GUIDELINES;
  let origin = '';

  function postResults(req: ReceivedRequest): Answer {
    if (posts++ < failTimes)
      return json(failStatus, {
        title: failStatus === 503 ? 'Service Unavailable' : 'Internal Server Error',
        code: failStatus,
      });
    const body = req.chunked && !options.acceptChunked ? Buffer.alloc(0) : req.body;
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      return badRequest('Malformed request');
    }
    if (!matchesSchema(doc)) return badRequest('Request doesnt correspond to schema');
    const sigHeader = req.headers['x-signature'];
    const keyHeader = req.headers['x-public-key'];
    let owner: string | undefined;
    if (sigHeader !== undefined || keyHeader !== undefined) {
      const sig = typeof sigHeader === 'string' ? sigHeader.trim() : '';
      if (!sig || sig.length % 2 || !/^[0-9a-f]+$/i.test(sig)) return badRequest('Malformed signature');
      const pub = typeof keyHeader === 'string' ? parseSshPublicKey(keyHeader) : undefined;
      if (!pub) return badRequest('Malformed public key');
      if (!pub.key) return internalError(); // the real server crashes on non-RSA keys
      if (!verify('sha256', body, pub.key, Buffer.from(sig, 'hex')))
        return badRequest('Signature verification failed');
      owner = pub.blob;
    }
    if (doc.results.length === 0)
      return badRequest('Uploaded results must contain at least one passing test.');
    if (owner !== undefined && !registered.has(owner)) return unauthorized(KEY_NOT_FOUND);
    if (owner === undefined && !anonymous) return unauthorized(ANONYMOUS_DISABLED);
    // Database constraints of the real server: it answers 500 and stores nothing.
    const names = new Set<string>();
    for (const r of doc.results) {
      const key = uniqueKey(r.name);
      if (names.has(key) || [...r.name].length > 512 || !latin1(r.name)) return internalError();
      names.add(key);
    }
    if ([...doc.cpid].length > 128) return internalError();
    const id = randomUUID();
    stored.set(id, {
      id,
      rawBody: body,
      doc,
      ...(owner ? { owner } : {}),
      createdAt: new Date().toISOString(),
    });
    return json(201, { test_id: id, url: `${options.uiUrl ?? origin}/#/results/${id}` });
  }

  function getResult(id: string): Answer {
    const result = stored.get(id);
    if (!result) return json(404, { title: `Test result ${id} not found`, code: 404 });
    if (result.owner) return unauthorized('To see this test run, you must be logged in as its owner.');
    return json(200, {
      id,
      cpid: result.doc.cpid,
      duration_seconds: result.doc.duration_seconds,
      created_at: result.createdAt,
      meta: {},
      results: result.doc.results.map((r) => r.name),
      user_role: null,
      verification_status: 0,
      product_version: null,
    });
  }

  /** `GET /v1/results?cpid=&page=`: unsigned runs (signed ones are listed only to their logged-in owner). */
  function listResults(query: URLSearchParams): Answer {
    const perPage = 20;
    const cpid = query.get('cpid');
    const runs = [...stored.values()].filter((r) => !r.owner && (!cpid || r.doc.cpid === cpid)).reverse();
    const page = Number(query.get('page') ?? '1');
    const totalPages = Math.max(1, Math.ceil(runs.length / perPage));
    if (!Number.isInteger(page) || page < 1 || page > totalPages) return badRequest('Invalid page number');
    const results = runs.slice((page - 1) * perPage, page * perPage).map((r) => ({
      id: r.id,
      cpid: r.doc.cpid,
      created_at: r.createdAt,
      duration_seconds: r.doc.duration_seconds,
      meta: {},
      product_version: null,
      verification_status: 0,
      url: `${options.uiUrl ?? origin}/#/results/${r.id}`,
    }));
    return json(200, { results, pagination: { current_page: page, total_pages: totalPages } });
  }

  function getTests(version: string, query: URLSearchParams): Answer {
    const ver = version.replace(/\.json$/, '');
    let guideline: unknown;
    try {
      if (options.guidelinesUnavailable || !/^[\w.-]+$/.test(ver)) throw new Error('unavailable');
      guideline = JSON.parse(readFileSync(path.join(guidelinesDir, `${ver}.json`), 'utf8'));
    } catch {
      return text(200, `Error getting JSON content for version: ${ver}`);
    }
    const target = query.get('target') ?? 'platform';
    const lines = testList(guideline, target, query);
    return lines ? text(200, lines.join('\n')) : text(200, `Invalid target: ${target}`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      const record: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        chunked:
          req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined,
      };
      received.push(record);
      const url = new URL(record.url, origin);
      const p = url.pathname;
      let answer: Answer;
      let m: RegExpMatchArray | null;
      if (record.method === 'POST' && /^\/api\/v1\/results\/?$/.test(p)) {
        answer = postResults(record);
        if (hold > 0) {
          // Stored (or refused) already; the answer comes after the client's timeout, to a closed socket.
          hold -= 1;
          if (!res.destroyed) await new Promise((resolve) => res.once('close', resolve));
          if (!res.destroyed) res.destroy();
          return;
        }
      } else if (record.method === 'GET' && /^\/api\/v1\/results\/?$/.test(p))
        answer = listResults(url.searchParams);
      else if (record.method === 'GET' && (m = p.match(/^\/api\/v1\/results\/([^/]+)\/?$/)))
        answer = getResult(decodeURIComponent(m[1] ?? ''));
      else if (record.method === 'GET' && (m = p.match(/^\/api\/v1\/guidelines\/([^/]+)\/tests\/?$/)))
        answer = getTests(decodeURIComponent(m[1] ?? ''), url.searchParams);
      else answer = json(404, { code: 404, title: 'Not Found', detail: 'The resource could not be found.' });
      res.writeHead(answer.status, {
        'Content-Type': answer.type,
        'Content-Length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let listening = false;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve, reject) => {
      if (!listening) return resolve();
      listening = false;
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/api`,
    received,
    stored,
    registerKey,
    setAnonymous: (allowed) => void (anonymous = allowed),
    setFailures: (times, status = 503) => {
      failTimes = posts + times;
      failStatus = status;
    },
    holdAnswers: (times) => void (hold = times),
    refuseConnections: stopListening,
    acceptConnections: () => (listening ? Promise.resolve() : listen(port)),
    close: stopListening,
  };
}

const CORE_TARGETS: Record<string, string> = {
  platform: 'OpenStack Powered Platform',
  compute: 'OpenStack Powered Compute',
  object: 'OpenStack Powered Storage',
};

/** `name[idempotent_id]` lines of a schema 2.0 guideline, as the real server builds them; undefined: bad target. */
export function testList(guideline: unknown, target: string, query: URLSearchParams): string[] | undefined {
  if (!isObject(guideline)) return undefined;
  const groups = isObject(guideline.platforms)
    ? guideline.platforms
    : isObject(guideline['add-ons'])
      ? guideline['add-ons']
      : {};
  const coreName = CORE_TARGETS[target];
  const groupName = isObject(guideline.platforms)
    ? coreName
    : Object.keys(groups).find((k) => k.toLowerCase() === target.toLowerCase());
  const group = groupName ? groups[groupName] : undefined;
  if (!isObject(group) || !Array.isArray(group.components)) return undefined;
  const types = (query.get('type') ?? 'required').split(',').map((t) => t.trim());
  const alias = (query.get('alias') ?? 'true').toLowerCase() !== 'false';
  const flagged = (query.get('flag') ?? 'true').toLowerCase() !== 'false';
  const components = isObject(guideline.components) ? guideline.components : {};
  const capabilities = isObject(guideline.capabilities) ? guideline.capabilities : {};
  const lines = new Set<string>();
  for (const c of group.components as unknown[]) {
    const component = isObject(c) && typeof c.name === 'string' ? components[c.name] : undefined;
    const caps = isObject(component) && isObject(component.capabilities) ? component.capabilities : {};
    for (const type of types) {
      const ids = caps[type];
      for (const capId of Array.isArray(ids) ? (ids as unknown[]) : []) {
        const cap = typeof capId === 'string' ? capabilities[capId] : undefined;
        const tests = isObject(cap) && isObject(cap.tests) ? cap.tests : {};
        for (const [name, details] of Object.entries(tests)) {
          if (!isObject(details) || (!flagged && details.flagged !== undefined)) continue;
          const id = typeof details.idempotent_id === 'string' ? details.idempotent_id : '';
          lines.add(`${name}[${id}]`);
          if (alias && Array.isArray(details.aliases))
            for (const a of details.aliases as unknown[]) if (typeof a === 'string') lines.add(`${a}[${id}]`);
        }
      }
    }
  }
  return [...lines].sort();
}
