/** The HTTP client's retries (undici's retry interceptor): GETs after failures, a POST only if never sent. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient, neverSent, type HttpRequest } from '../../src/core/http.js';

let answers: number[] = [];
let seen: string[] = [];
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const status = answers.shift() ?? 200;
    res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`answer ${status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  seen = [];
});
const http = createHttpClient({ env: { NO_PROXY: '127.0.0.1' } });

describe('retries', () => {
  it.each<[string, HttpRequest['method'], number[], number, number, number]>([
    // label, method, answers, retries, status seen by the caller, requests the server got
    ['GET after 503, 502 gets the 200', 'GET', [503, 502], 3, 200, 3],
    ['GET after 429 gets the 200', 'GET', [429], 1, 200, 2],
    ['GET keeps the last 503 when retries run out', 'GET', [503, 503, 503], 2, 503, 3],
    ['GET is not retried after a 404', 'GET', [404], 3, 404, 1],
    ['GET without retries is sent once', 'GET', [503], 0, 503, 1],
    ['HEAD is retried like GET', 'HEAD', [503], 2, 200, 2],
    ['POST is never resent after a 503', 'POST', [503], 3, 503, 1],
    ['POST is never resent after a 500', 'POST', [500], 3, 500, 1],
    ['PUT is never resent after a 502', 'PUT', [502], 3, 502, 1],
  ])('%s', async (_label, method, statuses, retries, status, requests) => {
    answers = [...statuses];
    const res = await http.request(`${base}/x`, {
      method,
      retries,
      backoffMs: 1,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: 'b' }),
    });
    expect(res.status).toBe(status);
    expect(seen).toHaveLength(requests);
  });

  it('a POST to a port that refuses is resent (it never left), and the error says it never was sent', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const attempts: number[] = [];
    const error = await http
      .request(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: 'b',
        retries: 2,
        backoffMs: 1,
        onRetry: (attempt) => attempts.push(attempt),
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(neverSent(error)).toBe(true);
    expect(attempts).toEqual([2, 3]);
  });

  it('a POST that timed out waiting for the answer is not marked never-sent, and not resent', async () => {
    let got = 0;
    const silent = createServer(() => void (got += 1));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const impatient = createHttpClient({ env: { NO_PROXY: '127.0.0.1' }, timeoutMs: 200 });
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
      const error = await impatient
        .request(url, { method: 'POST', body: 'b', retries: 3, backoffMs: 1 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      expect(neverSent(error)).toBe(false);
      expect(got).toBe(1);
    } finally {
      await impatient.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
