import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import { createHttpClient, type HttpClient, type HttpRequest } from '../../src/core/http.js';
import type { RefstackDocument } from '../../src/results/tests.js';
import { loadSigningKey, sshPublicLine } from '../../src/refstack/signing.js';
import { uploadResults, type UploadOptions } from '../../src/refstack/upload.js';
import { startRefstackServer, type RefstackTestServer } from '../support/refstack-server.js';
import { hasSshKeygen } from '../support/ssh-keygen.js';

const doc: RefstackDocument = {
  cpid: '7b6a5d4c3b2a19087f6e5d4c3b2a1908',
  duration_seconds: 1234,
  results: [
    {
      name: 'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token',
      uuid: '6f8e4436-fc96-4282-8122-e41df57197a9',
    },
    { name: 'tempest.api.compute.test_versions.TestVersions.test_list_api_versions' },
  ],
};
const sentBytes = Buffer.from(JSON.stringify(doc), 'utf8');

const http = createHttpClient({ env: { NO_PROXY: '127.0.0.1,localhost' }, timeoutMs: 5_000 });
afterAll(() => http.close());

let server: RefstackTestServer;
beforeEach(async () => {
  server = await startRefstackServer();
});
afterEach(() => server.close());

const opts = (extra: Partial<UploadOptions> = {}): UploadOptions => ({
  url: server.url,
  backoffMs: 10,
  ...extra,
});

async function uploadError(promise: Promise<unknown>): Promise<TcupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TcupError);
  const tcup = error as TcupError;
  expect(tcup.message).not.toContain(doc.cpid); // never the body
  return tcup;
}

/** An HttpClient that changes the request on its way, like a proxy rewriting it. */
function rewriting(change: (req: HttpRequest) => HttpRequest): HttpClient {
  return { request: (url, req) => http.request(url, change(req)), close: () => Promise.resolve() };
}

describe('anonymous upload', () => {
  it('answers 201; the server stores exactly the bytes sent, with a Content-Length', async () => {
    const result = await uploadResults(http, doc, opts({ url: `${server.url}/` }));
    expect(result.testId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.url).toMatch(new RegExp(`/#/results/${result.testId}$`));
    const stored = server.stored.get(result.testId);
    expect(stored?.rawBody.equals(sentBytes)).toBe(true);
    expect(stored?.doc).toEqual(doc);
    expect(stored?.owner).toBeUndefined();
    const [req] = server.received;
    expect(req?.url).toBe('/api/v1/results/');
    expect(req?.chunked).toBe(false);
    expect(req?.headers['content-length']).toBe(String(sentBytes.length));
    expect(req?.headers['transfer-encoding']).toBeUndefined();
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-signature']).toBeUndefined();
    // anyone with the id can read an anonymous result
    const read = await http.request(`${server.url}/v1/results/${result.testId}`, { method: 'GET' });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.text)).toMatchObject({ cpid: doc.cpid, results: doc.results.map((r) => r.name) });
  });

  it('is refused with 401 when the server disables anonymous uploads', async () => {
    server.setAnonymous(false);
    const error = await uploadError(uploadResults(http, doc, opts()));
    expect(error.code).toBe('UPLOAD_FAILED');
    expect(error.message).toMatch(/does not accept anonymous uploads/);
    expect(error.hint).toMatch(/sign with --sign KEY/);
  });

  it('does not send a document that breaks a rule', async () => {
    const bad = { ...doc, results: [doc.results[1]!, { name: doc.results[1]!.name.toUpperCase() }] };
    const error = await uploadError(uploadResults(http, bad, opts()));
    expect(error).toMatchObject({
      code: 'UPLOAD_FAILED',
      message: /was not sent: test names must be unique/,
    });
    expect(server.received).toHaveLength(0);
  });
});

describe('signed upload', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tcup-upload-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keys: [string, () => KeyObject][] = [];
  const nodeKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keys.push([
    'node PKCS#8 PEM',
    () => loadSigningKey(nodeKey.export({ type: 'pkcs8', format: 'pem' }) as string),
  ]);
  if (hasSshKeygen) {
    const keygen = (name: string, format: string[], passphrase: string) => {
      const file = path.join(dir, name);
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', ...format, '-N', passphrase, '-f', file]);
      return () => loadSigningKey(readFileSync(file, 'utf8'), passphrase || undefined);
    };
    keys.push(['ssh-keygen -m PEM', keygen('pem', ['-m', 'PEM'], '')]);
    keys.push(['ssh-keygen -m PKCS8', keygen('pkcs8', ['-m', 'PKCS8'], '')]);
    keys.push(['ssh-keygen OpenSSH', keygen('openssh', [], '')]);
    keys.push(['ssh-keygen OpenSSH + passphrase', keygen('openssh-pw', [], 'pass phrase')]);
    keys.push(['ssh-keygen PKCS8 + passphrase', keygen('pkcs8-pw', ['-m', 'PKCS8'], 'pass phrase')]);
  }

  it.each(keys)('%s: 401 while the key is unregistered, 201 once registered', async (_label, load) => {
    const key = load();
    const error = await uploadError(uploadResults(http, doc, opts({ key })));
    expect(error.code).toBe('UPLOAD_FAILED');
    expect(error.message).toMatch(/signing key is not registered \(User with specified key not found/);
    expect(error.hint).toMatch(
      /register the public key in your RefStack profile \(tcup sign KEY prints it\)/,
    );
    expect(server.stored.size).toBe(0);

    server.registerKey(sshPublicLine(key));
    const result = await uploadResults(http, doc, opts({ key }));
    const stored = server.stored.get(result.testId);
    expect(stored?.rawBody.equals(sentBytes)).toBe(true);
    expect(stored?.owner).toBe(sshPublicLine(key).split(' ')[1]);
    const req = server.received.at(-1);
    expect(req?.headers['x-public-key']).toBe(sshPublicLine(key));
    const signature = Buffer.from(String(req?.headers['x-signature']), 'hex');
    expect(verify('sha256', sentBytes, key, signature)).toBe(true);
    // a signed result is private: anonymous readers get 401
    const read = await http.request(`${server.url}/v1/results/${result.testId}`, { method: 'GET' });
    expect(read.status).toBe(401);
  });

  it.each<[string, (req: HttpRequest) => HttpRequest, RegExp, RegExp]>([
    [
      'tampered body',
      (req) => ({ ...req, body: Buffer.from(String(req.body).replace('1234', '1235')) }),
      /^RefStack refused the results: Signature verification failed$/,
      /does not match the public key sent or the body changed/,
    ],
    [
      'damaged signature',
      (req) => ({ ...req, headers: { ...req.headers, 'X-Signature': 'zz-not-hex' } }),
      /Malformed signature/,
      /X-Signature header was damaged/,
    ],
    [
      'damaged public key',
      (req) => ({ ...req, headers: { ...req.headers, 'X-Public-Key': 'ssh-rsa AAAAnot-a-key' } }),
      /Malformed public key/,
      /not a valid ssh-rsa line/,
    ],
    ['chunked-like empty body', (req) => ({ ...req, body: '' }), /Malformed request/, /no readable JSON/],
    [
      'body with an extra key',
      (req) => ({ ...req, headers: {}, body: JSON.stringify({ ...doc, meta: {} }) }),
      /Request doesnt correspond to schema/,
      /shape RefStack expects/,
    ],
    [
      'body without passing tests',
      (req) => ({ ...req, headers: {}, body: JSON.stringify({ ...doc, results: [] }) }),
      /Uploaded results must contain at least one passing test\./,
      /nothing to upload/,
    ],
  ])('400 for a %s is an UPLOAD_FAILED with a hint', async (_label, change, message, hint) => {
    const key = keys[0]![1]();
    server.registerKey(sshPublicLine(key));
    const error = await uploadError(uploadResults(rewriting(change), doc, opts({ key })));
    expect(error.code).toBe('UPLOAD_FAILED');
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(hint);
    expect(server.stored.size).toBe(0);
  });
});

describe('server and network failures', () => {
  it('retries 503, 503 and succeeds on the third attempt', async () => {
    server.setFailures(2, 503);
    const result = await uploadResults(http, doc, opts({ retries: 3 }));
    expect(server.stored.has(result.testId)).toBe(true);
    expect(server.received).toHaveLength(3);
    for (const req of server.received) expect(req.body.equals(sentBytes)).toBe(true);
  });

  it('gives up after bounded retries when the server keeps answering 500', async () => {
    server.setFailures(Infinity, 500);
    const error = await uploadError(uploadResults(http, doc, opts({ retries: 2 })));
    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', message: /failed with HTTP 500 after 3 attempts/ });
    expect(error.hint).toMatch(/saved locally/);
    expect(server.received).toHaveLength(3);
  });

  it('does not retry a 4xx answer', async () => {
    server.setAnonymous(false);
    await uploadError(uploadResults(http, doc, opts({ retries: 3 })));
    expect(server.received).toHaveLength(1);
  });

  it('says clearly when nothing listens at the URL', async () => {
    const url = server.url;
    await server.close();
    server = await startRefstackServer(); // for afterEach
    const error = await uploadError(uploadResults(http, doc, { url, retries: 1, backoffMs: 10 }));
    expect(error.code).toBe('UPLOAD_FAILED');
    expect(error.message).toMatch(
      /^could not reach the RefStack server at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/results\/: connection refused$/,
    );
    expect(error.hint).toMatch(/saved locally/);
  });

  it('says when the server does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const impatient = createHttpClient({ env: { NO_PROXY: '127.0.0.1' }, timeoutMs: 300 });
    try {
      const error = await uploadError(
        uploadResults(impatient, doc, { url: `http://127.0.0.1:${port}/api`, retries: 0 }),
      );
      expect(error.message).toMatch(/: timed out$/);
    } finally {
      await impatient.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a 201 that is not JSON (not a RefStack API)', async () => {
    const web = createServer((_req, res) =>
      res.writeHead(201, { 'Content-Type': 'text/html' }).end('<html>'),
    );
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
      const error = await uploadError(uploadResults(http, doc, { url }));
      expect(error).toMatchObject({ code: 'UPLOAD_FAILED', message: /answered 201 but not with JSON/ });
      expect(error.hint).toMatch(/API base/);
    } finally {
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it('a 404 (wrong base URL) names the status and points at --refstack-url', async () => {
    const error = await uploadError(uploadResults(http, doc, opts({ url: `${server.url}/nope` })));
    expect(error.message).toMatch(/answered HTTP 404 \(Not Found\)/);
    expect(error.hint).toMatch(/--refstack-url/);
  });
});
