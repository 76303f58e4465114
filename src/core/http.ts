/**
 * The one place that uses undici: an HTTP client that honours HTTP(S)_PROXY / NO_PROXY from the
 * environment it is given, a private CA bundle, timeouts and bounded retries.
 *
 * Retries are undici's own (its retry interceptor), and never send a request twice that may have reached
 * the server: a GET or HEAD is retried on network errors, timeouts and 5xx/429 answers; any other method
 * (RefStack's POST has no idempotency key) is sent again only when it provably never left this machine.
 */
import { readFileSync } from 'node:fs';
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from 'undici';
import { TcupError } from './errors.js';
import { debug } from './log.js';

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
  /**
   * How many times to try again (default 0), with exponential backoff. GET and HEAD: after network errors,
   * timeouts and 5xx/429 answers. Other methods: only when the request was never written to a connection
   * (refused connection, DNS failure, connect timeout): a request that may have arrived is never resent.
   */
  retries?: number;
  /** First backoff delay in ms (default 250), doubled each time. */
  backoffMs?: number;
  /** Told before each new attempt, with the error of the one before. */
  onRetry?: (attempt: number, error: unknown) => void;
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

/**
 * A request that failed before undici wrote any byte of it to a connection (it reached no server, so it
 * may be sent again). The original error is `cause`; `code` is the same, so undici's policies see it.
 */
export class NeverSentError extends Error {
  override readonly name = 'NeverSentError';
  readonly code: string | undefined;
  constructor(cause: Error) {
    super(cause.message, { cause });
    const code = (cause as { code?: unknown }).code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** True when the request provably never reached a server (see NeverSentError). */
export const neverSent = (error: unknown): boolean => error instanceof NeverSentError;

/**
 * Marks the errors of a request that failed before it was written. undici calls onRequestStart right
 * before it writes the request to a connected socket (client-h1 `request.onConnect`); an error without
 * it is a connection refused, a name not found, a connect or TLS handshake that failed.
 */
const markNeverSent: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  let started = false;
  return dispatch(opts, {
    onRequestStart: (controller, context) => {
      started = true;
      handler.onRequestStart?.(controller, context);
    },
    onRequestUpgrade: (controller, statusCode, headers, socket) =>
      handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) =>
      handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) =>
      handler.onResponseError?.(controller, started ? error : new NeverSentError(error)),
  });
};

const IDEMPOTENT = new Set<HttpRequest['method']>(['GET', 'HEAD']);
/** What a GET is retried after: undici's default network errors, plus timeouts and a DNS hiccup. */
const GET_RETRY_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
];
const MAX_BACKOFF_MS = 5_000;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const env = options.env;
  const pick = (name: string): string | undefined => env[name] ?? env[name.toLowerCase()] ?? undefined;
  const ca = options.caFile ? readCaBundle(options.caFile) : undefined;
  const tls = { ...(ca ? { ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
  const timeout = options.timeoutMs ?? 15_000;
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY') ?? httpProxy;
  const noProxy = pick('NO_PROXY');
  const agent = new EnvHttpProxyAgent({
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
    connect: { ...tls, timeout },
    requestTls: tls,
    proxyTls: tls,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });

  /** undici's retry interceptor, with the policy of this request's method. */
  function dispatcherFor(url: string, req: HttpRequest): Dispatcher {
    const retries = req.retries ?? 0;
    const minTimeout = req.backoffMs ?? 250;
    const notify = (attempt: number, error: unknown) => {
      debug(
        'http %s %s: %s; attempt %d',
        req.method,
        url.split('?')[0],
        describeNetworkError(error),
        attempt,
      );
      req.onRetry?.(attempt, error);
    };
    if (IDEMPOTENT.has(req.method))
      return agent.compose(
        interceptors.retry({
          maxRetries: retries,
          minTimeout,
          maxTimeout: MAX_BACKOFF_MS,
          timeoutFactor: 2,
          methods: [req.method],
          statusCodes: [429, 500, 502, 503, 504],
          errorCodes: GET_RETRY_CODES,
          // The last answer is returned as it is (a 503 stays a 503), not turned into an error.
          throwOnError: false,
        }),
      );
    return agent.compose(
      markNeverSent,
      interceptors.retry({
        methods: [req.method],
        statusCodes: [],
        retry: (error, { state }, callback) => {
          if (!neverSent(error) || state.counter > retries || req.signal?.aborted) return callback(error);
          notify(state.counter + 1, error);
          const delay = Math.min(minTimeout * 2 ** (state.counter - 1), MAX_BACKOFF_MS);
          setTimeout(() => callback(null), delay);
        },
      }),
    );
  }

  return {
    async request(url, req) {
      try {
        const res = await request(url, {
          method: req.method,
          dispatcher: dispatcherFor(url, req),
          ...(req.headers ? { headers: req.headers } : {}),
          ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.signal ? { signal: req.signal } : {}),
        });
        const text = await res.body.text();
        debug('http %s %s: %d', req.method, url.split('?')[0], res.statusCode);
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        return { status: res.statusCode, headers, text };
      } catch (error) {
        debug('http %s %s: %s', req.method, url.split('?')[0], errorCodes(error).join(' ') || error);
        throw error;
      }
    },
    close: () => agent.close(),
  };
}

/** The CA bundle's bytes; a file that cannot be read is the user's mistake (a path), not a crash. */
export function readCaBundle(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TcupError(
      'CREDENTIALS',
      `cannot read the CA bundle ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      'check the path given to --cacert, OS_CACERT or cacert: of clouds.yaml (a PEM file of CA certificates)',
      { cause: error },
    );
  }
}

/** The error codes of this Node and undici, walked through `cause`. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (typeof e === 'object' && e !== null) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && codes.at(-1) !== code) codes.push(code);
      e = (e as { cause?: unknown }).cause;
    } else break;
  }
  return codes;
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_OSSL/;

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
