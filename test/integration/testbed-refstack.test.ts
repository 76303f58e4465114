/** The RefStack test server answers as the reference doc says the real one does. */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, errorCodes, type HttpResponse } from '../../src/core/http.js';
import { KEY_NOT_FOUND, startRefstackServer, type RefstackTestServer } from '../support/refstack-server.js';

const http = createHttpClient({ env: { NO_PROXY: '127.0.0.1,localhost' } });
let server: RefstackTestServer;
beforeAll(async () => {
  server = await startRefstackServer();
});
afterAll(async () => {
  await server.close();
  await http.close();
});

/** Built here from the JWK, independently of src/signing.ts. */
function publicLine(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const mp = (b64: string) => {
    const b = Buffer.from(b64, 'base64url');
    return field((b[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-rsa')), mp(jwk.e ?? ''), mp(jwk.n ?? '')]);
  return `ssh-rsa ${blob.toString('base64')} tester@example`;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const doc = {
  cpid: 'abc',
  duration_seconds: 10,
  results: [{ name: 'tempest.api.a.A.test_a', uuid: '6f8e4436-fc96-4282-8122-e41df57197a9' }],
};
const body = Buffer.from(JSON.stringify(doc));

function post(payload: string | Buffer, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return http.request(`${server.url}/v1/results`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: payload,
  });
}
const signed = (key: KeyObject, payload: Buffer, line = publicLine(rsa.publicKey)) => ({
  'X-Signature': sign('sha256', payload, key).toString('hex'),
  'X-Public-Key': line,
});

describe('RefStack test server', () => {
  it('the RefStack server stores a valid upload and refuses a tampered one', async () => {
    server.registerKey(publicLine(rsa.publicKey));
    const headers = signed(rsa.privateKey, body);
    const ok = await post(body, headers);
    expect(ok.status).toBe(201);
    const { test_id: id, url } = JSON.parse(ok.text) as { test_id: string; url: string };
    expect(url).toBe(`${new URL(server.url).origin}/#/results/${id}`);
    expect(server.stored.get(id)?.rawBody.equals(body)).toBe(true);

    const tampered = Buffer.from(body.toString().replace('"duration_seconds":10', '"duration_seconds":11'));
    const refused = await post(tampered, headers);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({ title: 'Signature verification failed', code: 400 });
    expect(server.stored.size).toBe(1);
  });

  it.each<[string, string | Buffer, Record<string, string>, number, Record<string, unknown>]>([
    ['bad JSON', '{"cpid":', {}, 400, { title: 'Malformed request' }],
    ['empty body', '', {}, 400, { title: 'Malformed request' }],
    [
      'missing key',
      JSON.stringify({ cpid: 'x', results: doc.results }),
      {},
      400,
      { title: 'Request doesnt correspond to schema' },
    ],
    [
      'extra key',
      JSON.stringify({ ...doc, meta: {} }),
      {},
      400,
      { title: 'Request doesnt correspond to schema' },
    ],
    [
      'float duration',
      JSON.stringify({ ...doc, duration_seconds: 1.5 }),
      {},
      400,
      { title: 'Request doesnt correspond to schema' },
    ],
    [
      'no results',
      JSON.stringify({ ...doc, results: [] }),
      {},
      400,
      { title: 'Uploaded results must contain at least one passing test.' },
    ],
    [
      'malformed signature',
      body,
      { 'X-Signature': 'xyz', 'X-Public-Key': publicLine(rsa.publicKey) },
      400,
      { title: 'Malformed signature' },
    ],
    [
      'malformed public key',
      body,
      { ...signed(rsa.privateKey, body), 'X-Public-Key': 'ssh-rsa AAAA' },
      400,
      { title: 'Malformed public key' },
    ],
    [
      'duplicate names (case)',
      JSON.stringify({ ...doc, results: [{ name: 'a.B' }, { name: 'a.b' }] }),
      {},
      500,
      { title: 'Internal Server Error' },
    ],
    [
      'name over 512',
      JSON.stringify({ ...doc, results: [{ name: 'n'.repeat(513) }] }),
      {},
      500,
      { code: 500 },
    ],
    [
      'non-latin-1 name',
      JSON.stringify({ ...doc, results: [{ name: 'test_日本' }] }),
      {},
      500,
      { code: 500 },
    ],
    ['cpid over 128', JSON.stringify({ ...doc, cpid: 'c'.repeat(129) }), {}, 500, { code: 500 }],
    // The name is a unique key under latin1_swedish_ci: equal there means a duplicate, a 500.
    ...(
      [
        ['e / é', 'test_cafe', 'test_café'],
        ['y / ü', 'test_y', 'test_ü'],
        ['trailing spaces', 'test_x', 'test_x   '],
        ['E / ê', 'test_E', 'test_ê'],
        ['ä / æ', 'test_ä', 'test_æ'],
      ] as const
    ).map(
      ([label, a, b]) =>
        [
          `duplicate names (latin1_swedish_ci: ${label})`,
          JSON.stringify({ ...doc, results: [{ name: a }, { name: b }] }),
          {},
          500,
          { title: 'Internal Server Error' },
        ] as [string, string, Record<string, string>, number, Record<string, unknown>],
    ),
    [
      'a C1 control (not in Windows-1252)',
      JSON.stringify({ ...doc, results: [{ name: 'test_\u0080' }] }),
      {},
      500,
      { code: 500 },
    ],
  ])('%s', async (_label, payload, headers, status, expected) => {
    const before = server.stored.size;
    const res = await post(payload, headers);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text)).toMatchObject({ code: status, ...expected });
    expect(server.stored.size).toBe(before);
  });

  it.each([
    ['a / å (a letter of its own in Swedish)', 'test_a', 'test_å'],
    ['o / ö', 'test_o', 'test_ö'],
    ['ss / ß', 'test_ss', 'test_ß'],
    ['leading space', 'test_x', ' test_x'],
    ['€ and Œ (Windows-1252 is MySQL latin1)', 'test_€', 'test_Œ'],
  ])('stores names that latin1_swedish_ci tells apart: %s', async (_label, a, b) => {
    const res = await post(JSON.stringify({ ...doc, results: [{ name: a }, { name: b }] }));
    expect(res.status).toBe(201);
  });

  it('401 for a valid signature from an unregistered key, with the documented detail', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const res = await post(body, signed(other.privateKey, body, publicLine(other.publicKey)));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text)).toEqual({ code: 401, title: 'Unauthorized', detail: KEY_NOT_FOUND });
  });

  it('500 for a non-RSA key, as the real server', async () => {
    const ed = generateKeyPairSync('ed25519');
    const raw = ed.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const line = `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
    const res = await post(body, {
      'X-Signature': sign(null, body, ed.privateKey).toString('hex'),
      'X-Public-Key': line,
    });
    expect(res.status).toBe(500);
  });

  it('401 for anonymous uploads when switched off; signed results are private', async () => {
    server.setAnonymous(false);
    try {
      expect((await post(body)).status).toBe(401);
      const ok = await post(body, signed(rsa.privateKey, body));
      expect(ok.status).toBe(201);
      const id = (JSON.parse(ok.text) as { test_id: string }).test_id;
      expect((await http.request(`${server.url}/v1/results/${id}`, { method: 'GET' })).status).toBe(401);
    } finally {
      server.setAnonymous(true);
    }
  });

  it('stores a run whose answer it holds until the client gave up (one stored run, no answer)', async () => {
    const impatient = createHttpClient({ env: { NO_PROXY: '127.0.0.1' }, timeoutMs: 300 });
    const before = server.stored.size;
    server.holdAnswers(1);
    try {
      const error = await impatient
        .request(`${server.url}/v1/results`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(errorCodes(error)).toContain('UND_ERR_HEADERS_TIMEOUT');
      expect(server.stored.size).toBe(before + 1);
      // The next one is answered again.
      expect((await post(body)).status).toBe(201);
    } finally {
      await impatient.close();
    }
  });

  it('lists the unsigned runs of a cpid, newest first, as GET /v1/results?cpid= does', async () => {
    const cpid = 'list-me';
    const one = { ...doc, cpid };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((JSON.parse((await post(JSON.stringify(one))).text) as { test_id: string }).test_id);
    const res = await http.request(`${server.url}/v1/results?cpid=${cpid}`, { method: 'GET' });
    expect(res.status).toBe(200);
    const page = JSON.parse(res.text) as {
      results: { id: string; cpid: string; url: string }[];
      pagination: unknown;
    };
    expect(page.results.map((r) => r.id)).toEqual([...ids].reverse());
    expect(page.results.every((r) => r.cpid === cpid && r.url.endsWith(`/#/results/${r.id}`))).toBe(true);
    expect(page.pagination).toEqual({ current_page: 1, total_pages: 1 });
    const none = await http.request(`${server.url}/v1/results?cpid=nobody`, { method: 'GET' });
    expect(JSON.parse(none.text)).toMatchObject({ results: [] });
  });

  it('refuses connections while told to, then answers again on the same port', async () => {
    // A fresh client: one with a kept-alive connection would see that connection closed instead.
    const fresh = createHttpClient({ env: { NO_PROXY: '127.0.0.1' } });
    await server.refuseConnections();
    try {
      const error = await fresh.request(`${server.url}/v1/results?cpid=x`, { method: 'GET' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(errorCodes(error)).toContain('ECONNREFUSED');
    } finally {
      await server.acceptConnections();
    }
    expect((await fresh.request(`${server.url}/v1/results?cpid=x`, { method: 'GET' })).status).toBe(200);
    await fresh.close();
  });

  it('records what it received', () => {
    const last = server.received.at(-1);
    expect(last?.method).toBe('GET');
    expect(server.received.filter((r) => r.method === 'POST').every((r) => !r.chunked)).toBe(true);
  });
});

describe('RefStack test server: guideline test lists', () => {
  const tests = async (version: string, query: string) => {
    const res = await http.request(`${server.url}/v1/guidelines/${version}/tests?${query}`, {
      method: 'GET',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.text;
  };

  // 286 test entries, 11 flagged; two tests sit in two capabilities each, so 284 distinct lines.
  it('serves 2020.06 platform required: 286 entries (284 distinct tests), 11 flagged', async () => {
    const all = (await tests('2020.06', 'target=platform&type=required&alias=false&flag=true')).split('\n');
    expect(all).toHaveLength(284);
    const unflagged = (await tests('2020.06', 'target=platform&type=required&alias=false&flag=false')).split(
      '\n',
    );
    expect(unflagged).toHaveLength(284 - 11);
    expect(all).toContain(
      'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token[id-6f8e4436-fc96-4282-8122-e41df57197a9]',
    );
    const withAliases = (await tests('2020.06', 'target=platform&type=required&alias=true&flag=true')).split(
      '\n',
    );
    expect(withAliases.length).toBeGreaterThan(284);
  });

  it('serves add-on lists and answers unknown targets and versions as the real server', async () => {
    const dns = await tests('dns.2020.06', 'target=dns&type=required&alias=true&flag=false');
    expect(dns).toMatch(/^designate_tempest_plugin\..*\[[0-9a-f-]{36}\]$/m);
    expect(await tests('2020.06', 'target=nope')).toBe('Invalid target: nope');
    expect(await tests('1999.01', 'target=platform')).toBe('Error getting JSON content for version: 1999.01');
  });
});
