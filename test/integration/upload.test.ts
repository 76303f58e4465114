import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { EXIT_CODES, TcupError } from '../../src/core/errors.js';
import { createHttpClient, type HttpClient, type HttpRequest } from '../../src/core/http.js';
import type { UploadRecordFile } from '../../src/results/folder.js';
import type { RefstackDocument } from '../../src/results/tests.js';
import { loadSigningKey, sshPublicLine } from '../../src/refstack/signing.js';
import { UploadError, uploadResults, type UploadOptions } from '../../src/refstack/upload.js';
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

/** An HttpClient that calls `hook` before each new attempt of a request (after undici's own onRetry). */
function onEachRetry(hook: () => Promise<void>): HttpClient {
  return {
    request: (url, req) =>
      http.request(url, {
        ...req,
        onRetry: (attempt, error) => {
          req.onRetry?.(attempt, error);
          void hook();
        },
      }),
    close: () => Promise.resolve(),
  };
}

const posts = () => server.received.filter((r) => r.method === 'POST');

describe('exactly once: a POST that may have arrived is never sent again', () => {
  it('a server that stores the run and answers after the client timed out: one stored run, outcome unknown', async () => {
    server.holdAnswers(1);
    const impatient = createHttpClient({ env: { NO_PROXY: '127.0.0.1' }, timeoutMs: 500 });
    try {
      const error = await uploadError(uploadResults(impatient, doc, opts({ retries: 3 })));
      expect(error).toBeInstanceOf(UploadError);
      expect(error).toMatchObject({ code: 'UPLOAD_FAILED', outcome: 'unknown' });
      expect(EXIT_CODES[error.code]).toBe(10);
      expect(error.message).toBe(
        `the results were sent to ${server.url}/v1/results/ but no answer came (timed out), so whether RefStack stored them is unknown`,
      );
      expect(posts()).toHaveLength(1);
      expect(server.stored.size).toBe(1);
      // The hint names where to look, and that list has the run.
      const list = `${server.url}/v1/results?cpid=${doc.cpid}`;
      expect(error.hint).toContain(`GET ${list}`);
      const listed = JSON.parse((await http.request(list, { method: 'GET' })).text) as {
        results: { id: string }[];
      };
      expect(listed.results.map((r) => r.id)).toEqual([...server.stored.keys()]);
    } finally {
      await impatient.close();
    }
  });

  it.each([503, 500, 502])('HTTP %i: sent once, outcome unknown, where to look', async (status) => {
    server.setFailures(Infinity, status);
    const error = await uploadError(uploadResults(http, doc, opts({ retries: 3 })));
    expect(error).toMatchObject({ outcome: 'unknown' });
    expect(error.message).toMatch(
      new RegExp(`answered HTTP ${status} .*to the upload, so whether it stored the results is unknown$`),
    );
    expect(error.hint).toContain(`/v1/results?cpid=${doc.cpid}`);
    expect(posts()).toHaveLength(1);
  });

  it('a signed upload of unknown outcome says a signed run is listed only to its owner', async () => {
    const key = loadSigningKey(
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
    );
    server.setFailures(1, 503);
    const error = await uploadError(uploadResults(http, doc, opts({ key })));
    expect(error.hint).toMatch(
      /among your results on the RefStack site \(a signed run is private: .*&signed lists it only to its owner/,
    );
  });

  it('a refused connection is sent again and lands once', async () => {
    await server.refuseConnections();
    let resends = 0;
    const told: string[] = [];
    const client = onEachRetry(async () => {
      resends += 1;
      await server.acceptConnections();
    });
    const result = await uploadResults(client, doc, {
      ...opts({ retries: 3, backoffMs: 200 }),
      onRetry: (attempt, attempts, reason) => told.push(`${attempt}/${attempts} ${reason}`),
    });
    expect(resends).toBeGreaterThanOrEqual(1);
    expect(told[0]).toBe('2/4 connection refused');
    expect(posts()).toHaveLength(1);
    expect([...server.stored.keys()]).toEqual([result.testId]);
  });

  it('nothing listening: resent a bounded number of times, then "nothing was sent"', async () => {
    await server.refuseConnections();
    const error = await uploadError(uploadResults(http, doc, opts({ retries: 2 })));
    expect(error).toMatchObject({ code: 'UPLOAD_FAILED', outcome: 'not-sent' });
    expect(error.message).toMatch(
      /^could not reach the RefStack server at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/results\/: connection refused \(3 attempts\); nothing was sent$/,
    );
    expect(error.hint).toMatch(/check --refstack-url/);
    await server.acceptConnections();
    expect(server.received).toHaveLength(0);
  });

  it('a host name that does not resolve is "nothing was sent"', async () => {
    const error = await uploadError(
      uploadResults(http, doc, { url: 'http://tcup-no-such-host.invalid/api', retries: 0 }),
    );
    expect(error).toMatchObject({ outcome: 'not-sent', message: /host name not found; nothing was sent$/ });
  });

  it('a server that never answers: timed out, outcome unknown, not sent again', async () => {
    let requests = 0;
    const silent = createServer(() => void (requests += 1));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const impatient = createHttpClient({ env: { NO_PROXY: '127.0.0.1' }, timeoutMs: 300 });
    try {
      const error = await uploadError(
        uploadResults(impatient, doc, { url: `http://127.0.0.1:${port}/api`, retries: 3, backoffMs: 10 }),
      );
      expect(error).toMatchObject({ outcome: 'unknown', message: /no answer came \(timed out\)/ });
      expect(requests).toBe(1);
    } finally {
      await impatient.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('does not resend a 4xx answer', async () => {
    server.setAnonymous(false);
    await uploadError(uploadResults(http, doc, opts({ retries: 3 })));
    expect(server.received).toHaveLength(1);
  });
});

describe('what the server would choke on is refused before sending', () => {
  it.each<[string, string, string]>([
    ['e / é', 'tempest.api.a.A.test_cafe', 'tempest.api.a.A.test_café'],
    ['y / ü', 'tempest.api.a.A.test_y', 'tempest.api.a.A.test_ü'],
    ['trailing spaces', 'tempest.api.a.A.test_x', 'tempest.api.a.A.test_x  '],
    ['case', 'tempest.api.a.A.test_x', 'tempest.api.a.A.TEST_X'],
  ])('names equal under latin1_swedish_ci (%s): not sent; the server would answer 500', async (_l, a, b) => {
    const dup: RefstackDocument = { ...doc, results: [{ name: a }, { name: b }] };
    const error = await uploadError(uploadResults(http, dup, opts()));
    expect(error).toMatchObject({ outcome: 'not-sent', message: /was not sent: test names must be unique/ });
    expect(error.message).toContain(`repeated: ${a} / ${b}`);
    expect(server.received).toHaveLength(0);
    // What the server does with it (so the check is needed): 500, nothing stored.
    const raw = await http.request(`${server.url}/v1/results/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(dup),
    });
    expect(raw.status).toBe(500);
    expect(server.stored.size).toBe(0);
  });

  it.each(['?x=1', '#results'])('a RefStack URL with %s is a usage error, nothing sent', async (extra) => {
    const error = await uploadError(uploadResults(http, doc, opts({ url: `${server.url}${extra}` })));
    expect(error).toMatchObject({ code: 'USAGE', message: /query string or a fragment/ });
    expect(EXIT_CODES[error.code]).toBe(2);
    expect(server.received).toHaveLength(0);
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

/** `tcup ARGS` in this process, as the bin runs it: exit code and what it wrote. */
async function tcup(args: string[], cwd: string, env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const stdin = Object.assign(Readable.from([]), { isTTY: false });
  const code = await main({
    argv: args,
    env: { PATH: process.env.PATH, NO_PROXY: '127.0.0.1', ...env },
    cwd,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('tcup upload DIR', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tcup-upload-cmd-'));
    writeFileSync(path.join(dir, 'refstack.json'), JSON.stringify(doc, null, 2) + '\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const record = () => JSON.parse(readFileSync(path.join(dir, 'upload.json'), 'utf8')) as UploadRecordFile;
  const upload = (...extra: string[]) =>
    tcup(['upload', dir, '--anonymous', '--yes', '--refstack-url', server.url, ...extra], dir);

  it('says what was sent after it was sent; a second upload of the folder needs --again', async () => {
    const first = await upload();
    expect(first.code, first.stderr).toBe(0);
    const [id] = [...server.stored.keys()];
    expect(record()).toMatchObject({ test_id: id, signed: false, server: `${server.url}/v1/results/` });
    expect(first.stderr).toMatch(
      new RegExp(
        `sent to ${server.url}/v1/results/: 2 passed tests, cpid ${doc.cpid}, 1234 s[^\\n]*\\n.*anyone who has the result id`,
      ),
    );
    // No question asked: before sending only where it goes; what was sent once it is sent.
    expect(first.stderr).not.toMatch(/What is sent/);
    const order = ['Upload to ', 'sent to ', 'uploaded: '].map((t) => first.stderr.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order[0]).toBeGreaterThanOrEqual(0);

    const second = await upload();
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`these results were uploaded already to ${server.url}/v1/results/ on `);
    expect(second.stderr).toContain(`as ${record().url}`);
    expect(second.stderr).toMatch(/hint: .*tcup upload \. --anonymous --refstack-url \S+ --again/);
    expect(server.stored.size).toBe(1);

    const third = await upload('--again');
    expect(third.code, third.stderr).toBe(0);
    expect(server.stored.size).toBe(2);
    const rec = record();
    expect(rec.test_id).not.toBe(id);
    expect(rec.earlier?.map((r) => r.test_id)).toEqual([id]);
  });

  it('a run stored but answered after the timeout: exit 10, "unknown", one stored run, no record', async () => {
    server.holdAnswers(1); // tcup upload's own client: 15 s timeout
    const r = await upload();
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(
      /✖ the results were sent to .* but no answer came \(timed out\), so whether RefStack stored them is unknown\n/,
    );
    expect(r.stderr).toContain(`GET ${server.url}/v1/results?cpid=${doc.cpid}`);
    expect(r.stderr).toContain(
      `if it is not there, upload again with: tcup upload . --anonymous --refstack-url ${server.url}`,
    );
    expect(r.stderr).not.toMatch(/sent to .*: 2 passed tests/);
    expect(posts()).toHaveLength(1);
    expect(server.stored.size).toBe(1);
    expect(existsSync(path.join(dir, 'upload.json'))).toBe(false);
    expect(existsSync(path.join(dir, 'refstack.json'))).toBe(true);
  });

  it('the retry hint repeats --sign KEY and --key-passphrase-env', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'p w',
    }) as string;
    writeFileSync(path.join(dir, 'key.pem'), pem);
    const r = await tcup(
      [
        'upload',
        '.',
        '--sign',
        'key.pem',
        '--key-passphrase-env',
        'KP',
        '--yes',
        '--refstack-url',
        server.url,
      ],
      dir,
      { KP: 'p w' },
    );
    expect(r.code).toBe(10); // the key is not registered
    expect(r.stderr).toContain(
      `to try again: tcup upload . --sign key.pem --key-passphrase-env KP --refstack-url ${server.url}`,
    );
  });

  it('an encrypted key without a terminal names the key and --key-passphrase-env', async () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    writeFileSync(path.join(dir, 'key.pem'), pem);
    const r = await tcup(['upload', '.', '--sign', 'key.pem', '--yes', '--refstack-url', server.url], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      '✖ the signing key key.pem is protected by a passphrase and there is no terminal to ask for it',
    );
    expect(r.stderr).toMatch(/hint: .*--key-passphrase-env VAR/);
    expect(r.stderr).not.toMatch(/OS_PASSWORD|--password-stdin/);
    expect(server.received).toHaveLength(0);
  });

  it('a RefStack URL with a query string: exit 2 before anything is sent', async () => {
    const r = await tcup(
      ['upload', '.', '--anonymous', '--yes', '--refstack-url', `${server.url}?page=2`],
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/✖ the RefStack URL must not have a query string or a fragment/);
    expect(server.received).toHaveLength(0);
  });
});
