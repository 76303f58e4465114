/**
 * A project session (src/cloud/rest.ts) whose token stops working during a long run: the first 401 makes
 * the account log in again, once, and the request goes again with the new token; requests that met the
 * 401 together share that one login; a second refusal, or a login that fails, is the named 401 error.
 */
import { describe, expect, it } from 'vitest';
import type { HttpClient, HttpRequest } from '../../src/core/http.js';
import { projectSession } from '../../src/cloud/rest.js';
import { json } from '../support/fake-http.js';

const CATALOG = [
  {
    type: 'volumev3',
    name: 'cinderv3',
    endpoints: [{ interface: 'public', url: 'http://cloud:8776/v3/p1', region: 'r' }],
  },
];

/** The cloud: answers 200 only to the tokens in `valid`; records each request's token. */
function cloud(valid: Set<string>) {
  const seen: string[] = [];
  const http: HttpClient = {
    request: (_url: string, req: HttpRequest) => {
      if (req.signal?.aborted) return Promise.reject(new Error('aborted'));
      const token = req.headers?.['x-auth-token'] ?? '';
      seen.push(token);
      return Promise.resolve(valid.has(token) ? json(200, { volumes: [] }) : json(401, { error: 'x' }));
    },
    close: () => Promise.resolve(),
  };
  return { http, seen };
}

function session(
  http: HttpClient,
  renew?: (signal: AbortSignal | undefined) => Promise<string>,
  signal?: AbortSignal,
) {
  return projectSession({
    signal,
    http,
    token: 't1',
    renew,
    catalog: CATALOG,
    projectId: 'p1',
    who: 'cm1',
    iface: 'public',
  });
}

describe('a session whose token is refused', () => {
  it('logs in again once and sends the request again with the new token', async () => {
    const valid = new Set(['t1']);
    const { http, seen } = cloud(valid);
    let logins = 0;
    const s = session(http, () => {
      logins++;
      valid.add('t2');
      return Promise.resolve('t2');
    });
    expect(await s.get('volume', '/volumes')).toEqual({ volumes: [] });
    valid.delete('t1'); // revoked, as an operator or an expiry would
    const answers = await Promise.all([s.get('volume', '/volumes'), s.get('volume', '/volumes/detail')]);
    expect(answers).toEqual([{ volumes: [] }, { volumes: [] }]);
    expect(logins).toBe(1);
    expect(await s.get('volume', '/volumes')).toEqual({ volumes: [] });
    expect(seen).toEqual(['t1', 't1', 't1', 't2', 't2', 't2']);
  });

  it.each([
    ['the new token is refused too', () => Promise.resolve('t2'), /logged in again and was still refused/],
    ['the login fails', () => Promise.reject(new Error('password changed')), /logged in again/],
    ['no way to log in again', undefined, /check the account’s role in its project/],
  ])('%s: the named 401 error', async (_what, renew, hint) => {
    const { http } = cloud(new Set());
    const s = session(http, renew);
    const error = await s.get('volume', '/volumes').catch((e: unknown) => e);
    expect(String(error)).toMatch(/the volume API answered HTTP 401 to GET \/volumes as cm1/);
    expect((error as { hint?: string }).hint).toMatch(hint);
  });
});

describe('a session under another signal (the look at the test projects after an interrupt)', () => {
  it('sends under the new signal with the token it has, and logs in again under it', async () => {
    const valid = new Set(['t1']);
    const { http, seen } = cloud(valid);
    const run = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    const s = session(
      http,
      (signal) => {
        signals.push(signal);
        valid.add('t2');
        return Promise.resolve('t2');
      },
      run.signal,
    );
    run.abort(); // Ctrl-C: the run's own requests end at once
    await expect(s.get('volume', '/volumes')).rejects.toThrow(/aborted/);
    const look = new AbortController();
    const after = s.withSignal(look.signal);
    expect(after.who).toBe('cm1');
    expect(await after.get('volume', '/volumes')).toEqual({ volumes: [] });
    valid.delete('t1');
    expect(await after.get('volume', '/volumes')).toEqual({ volumes: [] });
    expect(signals).toEqual([look.signal]);
    expect(seen).toEqual(['t1', 't1', 't2']);
    look.abort(); // its deadline
    await expect(after.get('volume', '/volumes')).rejects.toThrow(/aborted/);
  });
});
