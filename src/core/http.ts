/**
 * The one place that uses undici: an HTTP client that honours HTTP(S)_PROXY / NO_PROXY from the
 * environment it is given, a private CA bundle, timeouts and bounded retries.
 */
import { readFileSync } from 'node:fs';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';

export interface HttpClientOptions {
  /** The environment to read proxy settings from (HTTP_PROXY, HTTPS_PROXY, NO_PROXY, either case). */
  env: Readonly<Record<string, string | undefined>>;
  /** A PEM bundle of CA certificates to trust (instead of the default roots). */
  caFile?: string;
  /** Skip TLS certificate verification (OS_INSECURE). */
  insecure?: boolean;
  /** Connect / headers / body timeout in ms (default 15 s). */
  timeoutMs?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  /** Always a string or Buffer: undici then sends a Content-Length (a stream would go chunked). */
  body?: string | Buffer;
  signal?: AbortSignal;
  /** Retries on network errors and 5xx answers, with exponential backoff (default 0). */
  retries?: number;
  /** First backoff delay in ms (default 250), doubled each time. */
  backoffMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  text: string;
}

export interface HttpClient {
  request(url: string, req: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const env = options.env;
  const pick = (name: string): string | undefined => env[name] ?? env[name.toLowerCase()] ?? undefined;
  const ca = options.caFile ? readFileSync(options.caFile) : undefined;
  const tls = { ...(ca ? { ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
  const timeout = options.timeoutMs ?? 15_000;
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY') ?? httpProxy;
  const noProxy = pick('NO_PROXY');
  const dispatcher: Dispatcher = new EnvHttpProxyAgent({
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
    connect: { ...tls, timeout },
    requestTls: tls,
    proxyTls: tls,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });

  async function once(url: string, req: HttpRequest): Promise<HttpResponse> {
    const res = await request(url, {
      method: req.method,
      dispatcher,
      ...(req.headers ? { headers: req.headers } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const text = await res.body.text();
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, text };
  }

  return {
    async request(url, req) {
      const retries = req.retries ?? 0;
      let delay = req.backoffMs ?? 250;
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await once(url, req);
          if (res.status >= 500 && attempt < retries) {
            await sleep(delay, req.signal);
            delay *= 2;
            continue;
          }
          return res;
        } catch (error) {
          if (attempt >= retries || req.signal?.aborted || !isRetryable(error)) throw error;
          await sleep(delay, req.signal);
          delay *= 2;
        }
      }
    },
    close: () => dispatcher.close(),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      },
      { once: true },
    );
  });
}

/** The error codes of this Node and undici, walked through `cause`. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (typeof e === 'object' && e !== null) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string') codes.push(code);
      e = (e as { cause?: unknown }).cause;
    } else break;
  }
  return codes;
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_OSSL/;

function isRetryable(error: unknown): boolean {
  const codes = errorCodes(error);
  return !codes.some((c) => TLS_CODES.test(c));
}

/** One short phrase for a network failure: what went wrong, never a URL or a body. */
export function describeNetworkError(error: unknown): string {
  const codes = errorCodes(error);
  const message = error instanceof Error ? error.message : String(error);
  const has = (...names: string[]) => codes.some((c) => names.includes(c));
  if (codes.some((c) => TLS_CODES.test(c)) || /certificate/i.test(message))
    return `TLS verification failed (${codes.find((c) => TLS_CODES.test(c)) ?? 'certificate'})`;
  if (/proxy/i.test(message) || has('UND_ERR_PROXY')) return `the proxy failed (${message})`;
  if (has('ECONNREFUSED')) return 'connection refused';
  if (has('ENOTFOUND', 'EAI_AGAIN')) return 'host name not found';
  if (has('UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'))
    return 'timed out';
  if (has('ECONNRESET', 'UND_ERR_SOCKET')) return 'connection reset';
  if (has('EHOSTUNREACH', 'ENETUNREACH')) return 'network unreachable';
  return codes[0] ?? message;
}
