/**
 * Keystone v3 preflight: one token request that proves the credentials work, and what tcup needs from
 * the answer (roles, catalog, cpid). The HTTP client is passed in. The token is a secret: callers
 * register it with the redactor. No message carries a password or a token.
 */
import { createHash } from 'node:crypto';
import { secretsOf, type Credentials } from './credentials.js';
import { TcupError } from '../core/errors.js';
import { describeNetworkError, type HttpClient, type HttpResponse } from '../core/http.js';

export interface Endpoint {
  id?: string;
  interface: string;
  region?: string;
  regionId?: string;
  url: string;
}

export interface CatalogEntry {
  id?: string;
  type: string;
  name?: string;
  endpoints: Endpoint[];
}

export interface KeystoneToken {
  token: string;
  expiresAt?: string;
  userId: string;
  projectId?: string;
  /** The domain of the project the token is scoped to (`token.project.domain.id`). */
  scopeDomainId?: string;
  roles: string[];
  catalog: CatalogEntry[];
  /** The identity service's catalog id, else the md5 of the auth URL's host name (RefStack's rule). */
  cpid: string;
}

export interface AuthenticateOptions {
  signal?: AbortSignal;
  /** Retries on network errors and 5xx answers (default 0: a preflight should fail fast). */
  retries?: number;
}

const NOT_IDENTITY = 'is OS_AUTH_URL the identity endpoint (e.g. https://keystone.example.com:5000/v3)?';

/**
 * The v3 base of an auth URL: `/v3` is kept, `/v2.0` becomes `/v3`, and an unversioned URL (the bare
 * root, or devstack's `/identity`) gets `/v3` appended. No version discovery is done.
 */
export function identityUrl(authUrl: string): string {
  const url = new URL(authUrl);
  const parts = url.pathname.split('/').filter(Boolean);
  if (/^v(2(\.0)?|3(\.\d+)?)$/i.test(parts.at(-1) ?? '')) parts.pop();
  return `${url.origin}/${[...parts, 'v3'].join('/')}`;
}

/** The body of POST /v3/auth/tokens for these credentials (holds the secret: never log it). */
export function tokenRequest(c: Credentials): { auth: Record<string, unknown> } {
  const domain = (id?: string, name?: string) => (id ? { id } : { name: name ?? 'Default' });
  const user = c.userId
    ? { id: c.userId }
    : { name: c.username, domain: domain(c.userDomainId, c.userDomainName) };
  if (c.authType === 'v3applicationcredential') {
    const ref = c.applicationCredentialId
      ? { id: c.applicationCredentialId }
      : { name: c.applicationCredentialName, user };
    const application_credential = { ...ref, secret: c.applicationCredentialSecret };
    return { auth: { identity: { methods: ['application_credential'], application_credential } } };
  }
  const project = c.projectId
    ? { id: c.projectId }
    : { name: c.projectName, domain: domain(c.projectDomainId, c.projectDomainName) };
  const password = { user: { ...user, password: c.password } };
  return { auth: { identity: { methods: ['password'], password }, scope: { project } } };
}

/** Asks Keystone for a token; every failure is a TcupError('AUTH_FAILED') with one clear sentence. */
export async function authenticate(
  http: HttpClient,
  creds: Credentials,
  opts: AuthenticateOptions = {},
): Promise<KeystoneToken> {
  if (creds.authType === 'password' && !creds.password)
    throw new TcupError(
      'CREDENTIALS',
      'no password to authenticate with',
      'set OS_PASSWORD or run interactively',
    );
  const url = `${identityUrl(creds.authUrl)}/auth/tokens`;
  const host = new URL(url).host;
  const secrets = secretsOf(creds);
  const fail = (message: string, hint: string, cause?: unknown) =>
    new TcupError('AUTH_FAILED', scrub(message, secrets), hint, cause === undefined ? undefined : { cause });
  let res: HttpResponse;
  try {
    res = await http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(tokenRequest(creds)),
      retries: opts.retries ?? 0,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (error) {
    if (opts.signal?.aborted) throw error;
    const phrase = describeNetworkError(error);
    const hint = phrase.startsWith('TLS')
      ? 'set OS_CACERT (or --cacert) to the CA bundle that signed its certificate'
      : phrase.startsWith('the proxy')
        ? 'check HTTPS_PROXY / HTTP_PROXY, or list the host in NO_PROXY'
        : 'check OS_AUTH_URL and that this machine can reach it (behind a proxy: HTTPS_PROXY, NO_PROXY)';
    throw fail(`cannot reach Keystone at ${host}: ${phrase}`, hint, error);
  }
  if (res.status === 200 || res.status === 201) return readToken(res, creds, host, fail);
  throw failureOf(res, creds, host, fail);
}

type Fail = (message: string, hint: string) => TcupError;

function failureOf(res: HttpResponse, c: Credentials, host: string, fail: Fail): TcupError {
  const said = keystoneMessage(res.text);
  const status = res.status;
  const who =
    c.authType === 'v3applicationcredential'
      ? `application credential ${c.applicationCredentialId ?? c.applicationCredentialName}`
      : `user ${c.username ?? c.userId}`;
  if (status === 401 && said !== undefined && /project|scope|has no access/i.test(said)) {
    const project = c.projectName ?? c.projectId;
    return fail(
      `Keystone refused to scope a token to project ${project}: ${said}`,
      'check the project and your role on it',
    );
  }
  if (status === 401)
    return fail(
      `Keystone rejected the credentials for ${who}`,
      'check the user name, its domain and the password',
    );
  if (status === 404 && said !== undefined)
    return fail(
      `Keystone could not find what the credentials name: ${said}`,
      'check the project, user and domain',
    );
  if (status === 403)
    return fail(`Keystone refused ${who}: ${said ?? 'forbidden'}`, 'ask the cloud operators');
  if (status === 400)
    return fail(`Keystone refused the token request: ${said ?? 'bad request'}`, 'check the credentials');
  if (status >= 500)
    return fail(
      `Keystone at ${host} failed with HTTP ${status}${said ? `: ${said}` : ''}`,
      'try again later',
    );
  return fail(`${host} answered HTTP ${status} to a Keystone v3 token request`, NOT_IDENTITY);
}

function readToken(res: HttpResponse, c: Credentials, host: string, fail: Fail): KeystoneToken {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw fail(`the answer from ${host} is not JSON`, NOT_IDENTITY);
  }
  const token = res.headers['x-subject-token'];
  const t = isRecord(body) ? body.token : undefined;
  const user = isRecord(t) ? t.user : undefined;
  if (!token || !isRecord(t) || !isRecord(user) || typeof user.id !== 'string')
    throw fail(`the answer from ${host} is not a Keystone v3 token`, NOT_IDENTITY);
  const project = t.project;
  const domain = isRecord(project) && isRecord(project.domain) ? project.domain.id : undefined;
  const catalog = catalogOf(body);
  return {
    token,
    ...(typeof t.expires_at === 'string' ? { expiresAt: t.expires_at } : {}),
    userId: user.id,
    ...(isRecord(project) && typeof project.id === 'string' ? { projectId: project.id } : {}),
    ...(typeof domain === 'string' && domain !== '' ? { scopeDomainId: domain } : {}),
    roles: rolesOf(body),
    catalog,
    cpid: cpidOf(catalog, c.authUrl),
  };
}

/** The role names of a token response body (`{token: {roles: [{name}]}}`). */
export function rolesOf(body: unknown): string[] {
  const roles = isRecord(body) && isRecord(body.token) ? body.token.roles : undefined;
  return Array.isArray(roles)
    ? roles.flatMap((r) => (isRecord(r) && typeof r.name === 'string' ? [r.name] : []))
    : [];
}

/** The service catalog of a token response body; malformed entries are left out. */
export function catalogOf(body: unknown): CatalogEntry[] {
  const catalog = isRecord(body) && isRecord(body.token) ? body.token.catalog : undefined;
  if (!Array.isArray(catalog)) return [];
  return catalog.flatMap((s): CatalogEntry[] => {
    if (!isRecord(s) || typeof s.type !== 'string') return [];
    const endpoints = (Array.isArray(s.endpoints) ? s.endpoints : []).flatMap((e): Endpoint[] =>
      isRecord(e) && typeof e.url === 'string' && typeof e.interface === 'string'
        ? [
            {
              ...str(e, 'id', 'id'),
              interface: e.interface,
              ...str(e, 'region', 'region'),
              ...str(e, 'region_id', 'regionId'),
              url: e.url,
            },
          ]
        : [],
    );
    return [{ ...str(s, 'id', 'id'), type: s.type, ...str(s, 'name', 'name'), endpoints }];
  });
}

/** The URL of a service's endpoint: `interface` may be `public` or `publicURL`; any region when none is given. */
export function findEndpoint(
  catalog: readonly CatalogEntry[],
  type: string,
  iface: string,
  region?: string,
): string | undefined {
  const want = iface.toLowerCase().replace(/url$/, '');
  for (const service of catalog.filter((s) => s.type === type))
    for (const e of service.endpoints)
      if (e.interface === want && (region === undefined || e.regionId === region || e.region === region))
        return e.url;
  return undefined;
}

/** RefStack's cpid: the id of the catalog's identity service, else the md5 of the auth URL's host. */
export function cpidOf(catalog: readonly CatalogEntry[], authUrl: string): string {
  return catalog.find((s) => s.type === 'identity' && s.id)?.id ?? cpidFromAuthUrl(authUrl);
}

/** md5 hex of the auth URL's host name, without port or IPv6 brackets (refstack-client's fallback). */
export function cpidFromAuthUrl(authUrl: string): string {
  const host = new URL(authUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  return createHash('md5').update(host, 'utf8').digest('hex');
}

/** Keystone's `error.message` (or `title`), on one line and short; undefined when the body is not Keystone's. */
function keystoneMessage(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = isRecord(body) ? body.error : undefined;
  const said = isRecord(error) ? (error.message ?? error.title) : undefined;
  if (typeof said !== 'string' || !said.trim()) return undefined;
  const line = said.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function scrub(message: string, secrets: readonly string[]): string {
  return secrets.reduce((m, s) => (s ? m.split(s).join('***') : m), message);
}

const str = (o: Record<string, unknown>, key: string, as: string) =>
  typeof o[key] === 'string' ? { [as]: o[key] } : {};
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
