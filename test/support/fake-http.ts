/**
 * A stand-in HTTP client for unit tests (src/core/http.ts's HttpClient): a handler answers each request
 * by method and URL. Keystone and RefStack answers for a pipeline run are ready-made; `hang` holds a
 * request until its signal aborts, as a server that never answers would.
 */
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse } from '../../src/core/http.js';

export type Handler = (url: string, req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

export interface FakeHttp {
  factory: (options: HttpClientOptions) => Promise<HttpClient>;
  /** `POST http://…/v3/auth/tokens`, in order. */
  requests: string[];
  /** Clients made and closed. */
  made: number;
  closed: number;
}

export function createFakeHttp(handler: Handler): FakeHttp {
  const fake: FakeHttp = {
    requests: [],
    made: 0,
    closed: 0,
    factory: () => {
      fake.made += 1;
      return Promise.resolve({
        request: async (url, req) => {
          fake.requests.push(`${req.method} ${url}`);
          return handler(url, req);
        },
        close: () => {
          fake.closed += 1;
          return Promise.resolve();
        },
      });
    },
  };
  return fake;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  text: JSON.stringify(body),
});

/** A request that never gets an answer: rejects (like undici) when its signal aborts. */
export function hang(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((_, reject) => {
    const fail = () => reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
    if (req.signal?.aborted) fail();
    else req.signal?.addEventListener('abort', fail, { once: true });
  });
}

/** A connection refused, as undici reports it. */
export function refused(): never {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), { code: 'ECONNREFUSED' });
}

/** Keystone's answer to a password token request: a token scoped to the project, with a catalog. */
export function keystoneToken(req: HttpRequest, authUrl: string): HttpResponse {
  const body = JSON.parse(String(req.body)) as {
    auth: { identity: { password?: { user: { name?: string } } }; scope?: { project: { name?: string } } };
  };
  const user = body.auth.identity.password?.user.name ?? 'demo';
  const project = body.auth.scope?.project.name ?? user;
  return json(
    201,
    {
      token: {
        expires_at: '2030-01-01T00:00:00.000000Z',
        user: { id: `uid-${user}`, name: user, domain: { id: 'default', name: 'Default' } },
        project: { id: `pid-${project}`, name: project, domain: { id: 'default', name: 'Default' } },
        roles: [{ id: 'r1', name: 'member' }],
        catalog: [
          {
            id: 'svc-identity',
            type: 'identity',
            name: 'keystone',
            endpoints: [{ id: 'e1', interface: 'public', region_id: 'RegionOne', url: authUrl }],
          },
        ],
      },
    },
    { 'x-subject-token': `token-of-${user}` },
  );
}
