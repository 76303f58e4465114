import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/cloud/credentials.js';
import { TcupError } from '../../src/core/errors.js';
import { createHttpClient, type HttpClient } from '../../src/core/http.js';
import {
  authenticate,
  cpidFromAuthUrl,
  cpidOf,
  findEndpoint,
  identityUrl,
  rolesOf,
  tokenRequest,
  type CatalogEntry,
} from '../../src/cloud/keystone.js';

const PASSWORD = 'Pa$$w0rd "with" spaces';
const TOKEN = 'gAAAAAB-secret-token';
const UNAUTHORIZED = {
  code: 401,
  message: 'The request you have made requires authentication.',
  title: 'Unauthorized',
};
const CATALOG = [
  {
    id: 'svc-compute',
    type: 'compute',
    name: 'nova',
    endpoints: [
      { id: 'e1', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: 'http://nova/v2.1' },
    ],
  },
  {
    id: 'svc-identity-42',
    type: 'identity',
    name: 'keystone',
    endpoints: [
      { id: 'e2', interface: 'internal', region_id: 'RegionOne', url: 'http://keystone-int/v3' },
      { id: 'e3', interface: 'public', region_id: 'RegionOne', url: 'http://keystone-one/v3' },
      { id: 'e4', interface: 'public', region_id: 'RegionTwo', url: 'http://keystone-two/v3' },
    ],
  },
];

type Body = {
  auth: {
    identity: {
      methods: string[];
      password?: { user: { name?: string; password?: string } };
      application_credential?: { id?: string; secret?: string };
    };
    scope?: { project: { name?: string } };
  };
};

/** Answers like Keystone, deciding by the user (or project) named in the request. */
function keystone(req: IncomingMessage, res: ServerResponse, text: string): void {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  if (req.method !== 'POST' || !/^\/(identity\/)?v3\/auth\/tokens$/.test(req.url ?? ''))
    return send(404, '<html>Not Found</html>', { 'content-type': 'text/html' });
  const { identity, scope } = (JSON.parse(text) as Body).auth;
  const user = identity.password?.user.name;
  const token = {
    expires_at: '2030-01-01T00:00:00.000000Z',
    user: { id: 'uid-1', name: user },
    roles: [
      { id: 'r1', name: 'member' },
      { id: 'r2', name: 'reader' },
    ],
  };
  if (identity.application_credential) {
    if (identity.application_credential.secret !== 'ac-secret') return send(401, { error: UNAUTHORIZED });
    return send(201, { token: { ...token, catalog: CATALOG.slice(0, 1) } }, { 'x-subject-token': TOKEN });
  }
  switch (user ?? '') {
    case 'boom':
      return send(503, '<html>Service Unavailable</html>', { 'content-type': 'text/html' });
    case 'html':
      return send(200, '<html>hello</html>', { 'content-type': 'text/html' });
    case 'notoken':
      return send(201, { token });
    case 'forbidden':
      return send(403, {
        error: {
          code: 403,
          message: 'You are not authorized to perform the requested action.',
          title: 'Forbidden',
        },
      });
    case 'echo':
      return send(500, {
        error: {
          code: 500,
          message: `bad password ${identity.password?.user.password}`,
          title: 'Internal Server Error',
        },
      });
    case 'teapot':
      return send(418, 'I am a teapot', { 'content-type': 'text/plain' });
    default:
      break;
  }
  if (user !== 'admin' || identity.password?.user.password !== PASSWORD)
    return send(401, { error: UNAUTHORIZED });
  if (scope?.project.name === 'noaccess')
    return send(401, {
      error: { code: 401, message: 'User uid-1 has no access to project noaccess', title: 'Unauthorized' },
    });
  if (scope?.project.name === 'missing')
    return send(404, {
      error: { code: 404, message: 'Could not find project: missing.', title: 'Not Found' },
    });
  return send(
    201,
    {
      token: {
        ...token,
        project: { id: 'pid-1', name: scope?.project.name, domain: { id: 'dom-1', name: 'Lab' } },
        catalog: CATALOG,
      },
    },
    { 'x-subject-token': TOKEN },
  );
}

function listen(handler: (req: IncomingMessage, res: ServerResponse, text: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    let text = '';
    req
      .setEncoding('utf8')
      .on('data', (c: string) => (text += c))
      .on('end', () => handler(req, res, text));
  });
  server.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const portOf = (s: Server) => (s.address() as AddressInfo).port;
const close = (s: Server) => new Promise((resolve) => s.close(resolve));

let server: Server;
let base: string;
let closedPort: number;
let http: HttpClient;
beforeAll(async () => {
  server = await listen(keystone);
  base = `http://127.0.0.1:${portOf(server)}`;
  const closed = await listen(() => undefined);
  closedPort = portOf(closed);
  await close(closed);
  http = createHttpClient({ env: {}, timeoutMs: 5_000 });
});
afterAll(async () => {
  await http.close();
  await close(server);
});

const creds = (over: Partial<Credentials> = {}): Credentials => ({
  authUrl: `${base}/v3`,
  authType: 'password',
  username: 'admin',
  userDomainName: 'Default',
  password: PASSWORD,
  projectName: 'demo',
  projectDomainName: 'Default',
  interface: 'public',
  identityApiVersion: '3',
  insecure: false,
  source: { kind: 'env' },
  ...over,
});

describe('identityUrl', () => {
  it.each([
    ['https://k:5000/v3', 'https://k:5000/v3'],
    ['https://k:5000/v3/', 'https://k:5000/v3'],
    ['https://k:5000', 'https://k:5000/v3'],
    ['https://k:5000/', 'https://k:5000/v3'],
    ['https://k:5000/v2.0', 'https://k:5000/v3'],
    ['https://k:5000/v2.0/', 'https://k:5000/v3'],
    ['http://k/identity', 'http://k/identity/v3'],
    ['http://k/identity/v3', 'http://k/identity/v3'],
    ['http://k/identity/v3.14?x=1#f', 'http://k/identity/v3'],
  ])('%s -> %s', (input, expected) => expect(identityUrl(input)).toBe(expected));
});

describe('tokenRequest', () => {
  const domain = { name: 'Default' };
  it.each<[string, Partial<Credentials>, unknown]>([
    [
      'names',
      {},
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain, password: PASSWORD } },
          },
          scope: { project: { name: 'demo', domain } },
        },
      },
    ],
    [
      'ids',
      { userId: 'u1', projectId: 'p1' },
      {
        auth: {
          identity: { methods: ['password'], password: { user: { id: 'u1', password: PASSWORD } } },
          scope: { project: { id: 'p1' } },
        },
      },
    ],
    [
      'domain ids',
      { userDomainId: 'ud', projectDomainId: 'pd' },
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { id: 'ud' }, password: PASSWORD } },
          },
          scope: { project: { name: 'demo', domain: { id: 'pd' } } },
        },
      },
    ],
    [
      'app credential id',
      {
        authType: 'v3applicationcredential',
        applicationCredentialId: 'ac',
        applicationCredentialSecret: 's',
      },
      {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { id: 'ac', secret: 's' },
          },
        },
      },
    ],
    [
      'app credential name',
      {
        authType: 'v3applicationcredential',
        applicationCredentialName: 'n',
        applicationCredentialSecret: 's',
      },
      {
        auth: {
          identity: {
            methods: ['application_credential'],
            application_credential: { name: 'n', user: { name: 'admin', domain }, secret: 's' },
          },
        },
      },
    ],
  ])('%s', (_name, over, expected) => expect(tokenRequest(creds(over))).toEqual(expected));
});

describe('authenticate against a fake Keystone', () => {
  it('returns the token, ids, roles, catalog and the identity service id as cpid', async () => {
    const t = await authenticate(http, creds());
    expect(t).toMatchObject({
      token: TOKEN,
      expiresAt: '2030-01-01T00:00:00.000000Z',
      userId: 'uid-1',
      projectId: 'pid-1',
      roles: ['member', 'reader'],
      cpid: 'svc-identity-42',
    });
    // The domain of the token's project: planTempest's identity.default_domain_id.
    expect(t.scopeDomainId).toBe('dom-1');
    expect(findEndpoint(t.catalog, 'identity', 'publicURL', 'RegionTwo')).toBe('http://keystone-two/v3');
  });

  it.each([
    ['bare root', ''],
    ['v2.0 URL', '/v2.0'],
    ['devstack /identity', '/identity'],
  ])('normalises a %s', async (_n, path) => {
    await expect(authenticate(http, creds({ authUrl: `${base}${path}` }))).resolves.toMatchObject({
      token: TOKEN,
    });
  });

  it('authenticates an application credential; no identity service means cpid = md5(host)', async () => {
    const t = await authenticate(
      http,
      creds({
        authType: 'v3applicationcredential',
        applicationCredentialId: 'ac1',
        applicationCredentialSecret: 'ac-secret',
        password: undefined,
      }),
    );
    expect(t).toMatchObject({ token: TOKEN, cpid: createHash('md5').update('127.0.0.1').digest('hex') });
    expect(t.projectId).toBeUndefined();
    expect(t.scopeDomainId).toBeUndefined();
  });

  const failures: [string, () => Partial<Credentials>, RegExp, RegExp][] = [
    [
      'wrong password',
      () => ({ password: 'wrong' }),
      /^Keystone rejected the credentials for user admin$/,
      /password/,
    ],
    [
      'unknown user',
      () => ({ username: 'nobody' }),
      /^Keystone rejected the credentials for user nobody$/,
      /user name/,
    ],
    [
      'wrong app credential secret',
      () => ({
        authType: 'v3applicationcredential',
        applicationCredentialId: 'ac1',
        applicationCredentialSecret: 'nope',
      }),
      /^Keystone rejected the credentials for application credential ac1$/,
      /./,
    ],
    [
      'no access to project',
      () => ({ projectName: 'noaccess' }),
      /^Keystone refused to scope a token to project noaccess: User uid-1 has no access/,
      /role/,
    ],
    [
      'project not found',
      () => ({ projectName: 'missing' }),
      /^Keystone could not find what the credentials name: Could not find project: missing\.$/,
      /project/,
    ],
    [
      'forbidden',
      () => ({ username: 'forbidden' }),
      /^Keystone refused user forbidden: You are not authorized/,
      /operators/,
    ],
    ['5xx', () => ({ username: 'boom' }), /^Keystone at 127\.0\.0\.1:\d+ failed with HTTP 503$/, /later/],
    [
      'non-JSON 200',
      () => ({ username: 'html' }),
      /^the answer from 127\.0\.0\.1:\d+ is not JSON$/,
      /OS_AUTH_URL the identity endpoint/,
    ],
    ['no X-Subject-Token', () => ({ username: 'notoken' }), /is not a Keystone v3 token$/, /OS_AUTH_URL/],
    [
      'odd status',
      () => ({ username: 'teapot' }),
      /answered HTTP 418 to a Keystone v3 token request$/,
      /OS_AUTH_URL/,
    ],
    [
      'wrong path',
      () => ({ authUrl: `${base}/nova/v2.1` }),
      /answered HTTP 404 to a Keystone v3 token request$/,
      /OS_AUTH_URL the identity endpoint/,
    ],
    [
      'server echoing the password',
      () => ({ username: 'echo' }),
      /^Keystone at 127\.0\.0\.1:\d+ failed with HTTP 500: bad password \*\*\*$/,
      /./,
    ],
    [
      'connection refused',
      () => ({ authUrl: `http://127.0.0.1:${closedPort}/v3` }),
      /^cannot reach Keystone at 127\.0\.0\.1:\d+: connection refused$/,
      /HTTPS_PROXY/,
    ],
    [
      'TLS failure (https to a plain HTTP port)',
      () => ({ authUrl: `${base.replace('http:', 'https:')}/v3` }),
      /^cannot reach Keystone at 127\.0\.0\.1:\d+: TLS verification failed/,
      /OS_CACERT/,
    ],
  ];
  const seen: TcupError[] = [];

  it.each(failures)('%s', async (_name, over, message, hint) => {
    const started = Date.now();
    const error = await authenticate(http, creds(over())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TcupError);
    const e = error as TcupError;
    seen.push(e);
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a failing proxy with a hint about HTTPS_PROXY / NO_PROXY', async () => {
    const proxied = createHttpClient({ env: { HTTPS_PROXY: base }, timeoutMs: 5_000 });
    try {
      const error = await authenticate(
        proxied,
        creds({ authUrl: 'https://keystone.example.invalid:5000/v3' }),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TcupError);
      seen.push(error as TcupError);
      expect((error as TcupError).message).toMatch(
        /^cannot reach Keystone at keystone\.example\.invalid:5000: the proxy failed/,
      );
      expect((error as TcupError).hint).toMatch(/HTTPS_PROXY.*NO_PROXY/);
    } finally {
      await proxied.close();
    }
  });

  it('never puts the password or the token in a message or hint', () => {
    expect(seen.length).toBe(failures.length + 1);
    for (const e of seen)
      for (const text of [e.message, e.hint ?? ''])
        for (const secret of [PASSWORD, TOKEN]) expect(text).not.toContain(secret);
  });

  it('refuses to send a password request without a password', async () => {
    await expect(authenticate(http, creds({ password: undefined }))).rejects.toMatchObject({
      code: 'CREDENTIALS',
    });
  });

  it('rethrows the abort when the signal fires', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(authenticate(http, creds(), { signal: controller.signal })).rejects.not.toBeInstanceOf(
      TcupError,
    );
  });
});

describe('catalog helpers', () => {
  const catalog = CATALOG.map((s) => ({
    ...s,
    endpoints: s.endpoints.map(({ region_id, ...e }) => ({ ...e, regionId: region_id })),
  })) as CatalogEntry[];
  it.each<[string, unknown, unknown]>([
    ['public identity, any region', findEndpoint(catalog, 'identity', 'public'), 'http://keystone-one/v3'],
    [
      'internalURL form',
      findEndpoint(catalog, 'identity', 'internalURL', 'RegionOne'),
      'http://keystone-int/v3',
    ],
    ['region match', findEndpoint(catalog, 'identity', 'public', 'RegionTwo'), 'http://keystone-two/v3'],
    ['region by name field', findEndpoint(catalog, 'compute', 'public', 'RegionOne'), 'http://nova/v2.1'],
    ['no such region', findEndpoint(catalog, 'identity', 'public', 'RegionNine'), undefined],
    ['no such type', findEndpoint(catalog, 'volumev3', 'public'), undefined],
    ['roles', rolesOf({ token: { roles: [{ name: 'admin' }, { id: 'x' }, 'junk'] } }), ['admin']],
    ['roles of junk', rolesOf('nope'), []],
    ['cpid from catalog', cpidOf(catalog, 'http://k/v3'), 'svc-identity-42'],
    [
      'cpid without identity',
      cpidOf([], 'https://Keystone.Example.com:5000/v3'),
      createHash('md5').update('keystone.example.com').digest('hex'),
    ],
    ['cpid md5 known value', cpidFromAuthUrl('http://localhost:5000/v3'), '421aa90e079fa326b6494f812ad13e79'],
    [
      'cpid IPv6 without brackets',
      cpidFromAuthUrl('http://[::1]:5000/v3'),
      createHash('md5').update('::1').digest('hex'),
    ],
  ])('%s', (_name, actual, expected) => expect(actual).toEqual(expected));
});
