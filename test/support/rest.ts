/** OpenStack's REST APIs as the test bed's operator uses them: a password login and one call at a time. */
import type { TestbedUser } from './testbed.js';

const HTTP_MS = 60_000;
const DOMAIN = { id: 'default' };

export interface Session {
  token: string;
  userId: string;
  projectId: string;
  /** The token's role names. */
  roles: string[];
  /** Service type → public URL (from the token's catalog). */
  endpoints: Record<string, string>;
}

/** A project-scoped password login; the catalog's public endpoints by service type. */
export async function login(authUrl: string, user: TestbedUser): Promise<Session> {
  const response = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user.username, domain: DOMAIN, password: user.password } },
        },
        scope: { project: { name: user.project, domain: DOMAIN } },
      },
    }),
    signal: AbortSignal.timeout(HTTP_MS),
  });
  if (response.status !== 201)
    throw new Error(`Keystone answered ${response.status} to ${user.username}'s password login`);
  const { token } = (await response.json()) as {
    token: {
      user: { id: string };
      project: { id: string };
      roles: { name: string }[];
      catalog: { type: string; endpoints: { interface: string; url: string }[] }[];
    };
  };
  const endpoints: Record<string, string> = {};
  for (const service of token.catalog) {
    const url = service.endpoints.find((e) => e.interface === 'public')?.url;
    if (url) endpoints[service.type] = url.replace(/\/$/, '');
  }
  return {
    token: response.headers.get('x-subject-token')!,
    userId: token.user.id,
    projectId: token.project.id,
    roles: token.roles.map((r) => r.name),
    endpoints,
  };
}

/**
 * One REST call with a session's token against a catalog service type (`identity`, `compute`, ...);
 * resolves with the JSON body (or undefined when empty); rejects on any status outside 2xx.
 */
export async function api<T = unknown>(
  session: Session,
  service: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const base = session.endpoints[service];
  if (!base) throw new Error(`no ${service} endpoint in the catalog`);
  const raw = body instanceof Uint8Array;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-auth-token': session.token,
      ...(body === undefined
        ? {}
        : { 'content-type': raw ? 'application/octet-stream' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${service} ${path}: ${response.status} ${text.slice(0, 400)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
