/**
 * The container protocol (pure): what the launcher sends to tcup's container and what it writes back.
 * container/protocol.py is its mirror (same version, fields and event kinds; test/unit/protocol.test.ts
 * compares the two descriptions and runs the same vectors through both).
 *
 * - stdin, first line: the request (REQUEST below) as one JSON line, secrets included. stdin then stays
 *   open; its end tells the container that the launcher has the results and it may exit.
 * - stdout: event lines, EVENT_PREFIX + JSON (EVENTS below). Any other stdout line is log text.
 * - stderr: the human log, scrubbed inside the container.
 *
 * Adding a field: add it here (usually `optional(...)`, so older callers keep working), add it to
 * REQUEST in container/protocol.py, and read it in container/tcup_run.py. Changing or removing one:
 * raise PROTOCOL_VERSION on both sides. Both sides refuse unknown fields, so a field known only on
 * one side fails the protocol test rather than being silently dropped.
 */
import {
  bool,
  int,
  list,
  map,
  nullable,
  object,
  oneOf,
  optional,
  pair,
  string,
  type Description,
  type Infer,
  type Schema,
} from './schema.js';

export const PROTOCOL_VERSION = 1;
export const EVENT_PREFIX = '::tcup:: ';

/** What python-tempestconf needs to discover the cloud (OS_* variables in the container). */
const CLOUD = object({
  auth_url: string,
  /** `password` or `v3applicationcredential`. */
  auth_type: optional(oneOf('password', 'v3applicationcredential')),
  username: optional(string),
  user_id: optional(string),
  password: optional(string),
  project_name: optional(string),
  project_id: optional(string),
  user_domain_name: optional(string),
  user_domain_id: optional(string),
  project_domain_name: optional(string),
  project_domain_id: optional(string),
  region_name: optional(string),
  interface: optional(string),
  application_credential_id: optional(string),
  application_credential_name: optional(string),
  application_credential_secret: optional(string),
  /** The private CA's PEM text (the file's content: the container cannot see the host's disk). */
  cacert_pem: optional(string),
  insecure: optional(bool),
});

/** One entry of Tempest's accounts.yaml (tempest.lib.common.preprov_creds reads these keys). */
const ACCOUNT = object({
  username: string,
  password: string,
  project_name: optional(string),
  project_id: optional(string),
  domain_name: optional(string),
  user_domain_name: optional(string),
  project_domain_name: optional(string),
  roles: optional(list(string)),
  /** Tempest's credential types: `operator`, `reseller_admin` (tcup refuses `admin` and others). */
  types: optional(list(oneOf('operator', 'reseller_admin'))),
  /** Tempest's per-account resources: only `network` (a network name) is read by Tempest. */
  resources: optional(object({ network: optional(string) })),
});

export const REQUEST = object({
  /** PROTOCOL_VERSION of the launcher; the container refuses any other. */
  version: int,
  /** `run`: configure and run the tests; `debug`: configure, then wait for a shell (event `ready`). */
  mode: oneOf('run', 'debug'),
  cloud: CLOUD,
  accounts: list(ACCOUNT),
  /** `section.key value` pairs for python-tempestconf, in order (the user's --tempest-option last). */
  tempestconf: list(pair(string, string)),
  /** Tempest test ids for --load-list. */
  tests: list(string),
  concurrency: int,
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY (both spellings) for the container; passwords in them are scrubbed. */
  proxy: optional(map(string)),
  /**
   * The schedule (src/tempest/schedule.ts): per worker, the Tempest classes it runs, whole. Given, it
   * replaces stestr's own partition (and `concurrency`): one worker per entry.
   */
  workers: optional(list(list(string))),
});

export type ContainerRequest = Infer<typeof REQUEST>;
/** A request before the version is stamped on it (what callers build). */
export type RequestFields = Omit<ContainerRequest, 'version'>;

export const TEST_STATUSES = ['success', 'fail', 'skip', 'xfail', 'uxsuccess'] as const;

/** The event kinds and their fields (besides `event`, which names the kind). */
export const EVENTS = {
  /** tempest.conf was generated, in `ms` milliseconds. */
  configured: object({ ms: int }),
  /** `tempest run` starts `total` tests. */
  start: object({ total: int }),
  /** One finished test; `reason` is the skip reason or the last line of the traceback, scrubbed. */
  test: object({
    id: string,
    status: oneOf(...TEST_STATUSES),
    ms: nullable(int),
    reason: nullable(string),
    /** stestr's worker tag (`worker-0`), and the test's start in epoch ms: for class times. */
    worker: optional(nullable(string)),
    start: optional(nullable(int)),
  }),
  /**
   * `tempest run` exited with `rc`. `stream` says what its subunit stream held: `complete` (every test
   * that started ended), `partial` (a test was left running or the stream broke off), `none` (no
   * test at all). `tail`: Tempest's last error lines, scrubbed.
   */
  finished: object({ rc: int, stream: oneOf('complete', 'partial', 'none'), tail: list(string) }),
  /** The container could not do what was asked (configuration failed, bad request); scrubbed. */
  error: object({ message: string }),
  /** The container's work is over; `code` 0 when it succeeded. It waits for stdin to end. */
  done: object({ code: int }),
  /** Debug mode: configured, a shell may be opened. */
  ready: object({ code: int }),
} as const;

type Events = typeof EVENTS;
export type EventKind = keyof Events;
export type ContainerEvent = { [K in EventKind]: { event: K } & Infer<Events[K]> }[EventKind];
export type EventOf<K extends EventKind> = Extract<ContainerEvent, { event: K }>;

/** A request or an event that does not fit the protocol; the message names the field, never a value. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** The request's stdin line: the version stamped on, checked against REQUEST. */
export function encodeRequest(fields: RequestFields): string {
  const request = { version: PROTOCOL_VERSION, ...fields };
  const problem = REQUEST.problem(request, '');
  if (problem) throw new ProtocolError(`the container request is not valid: ${problem}`);
  return JSON.stringify(request) + '\n';
}

/** A request as the container reads it (the TypeScript side of the Python check, for tests). */
export function parseRequest(text: string): ContainerRequest {
  const value = parseJson(text, 'the request');
  const problem = REQUEST.problem(value, '');
  if (problem) throw new ProtocolError(`the request is not valid: ${problem}`);
  const request = value as ContainerRequest;
  if (request.version !== PROTOCOL_VERSION)
    throw new ProtocolError(`the request speaks protocol ${request.version}, this side ${PROTOCOL_VERSION}`);
  return request;
}

/** One stdout line: an event, or (without the prefix) a log line. Throws ProtocolError for a bad event. */
export function parseLine(line: string): { event: ContainerEvent } | { log: string } {
  if (!line.startsWith(EVENT_PREFIX)) return { log: line };
  return { event: parseEvent(line.slice(EVENT_PREFIX.length)) };
}

export function parseEvent(text: string): ContainerEvent {
  const value = parseJson(text, 'an event');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError('an event is not a JSON object');
  const { event, ...fields } = value as Record<string, unknown>;
  if (typeof event !== 'string' || !Object.hasOwn(EVENTS, event))
    throw new ProtocolError(
      `unknown event kind ${typeof event === 'string' ? JSON.stringify(event.slice(0, 40)) : '(none)'}`,
    );
  const schema: Schema<unknown> = EVENTS[event as EventKind];
  const problem = schema.problem(fields, '');
  if (problem) throw new ProtocolError(`event "${event}": ${problem}`);
  return value as ContainerEvent;
}

/** The protocol as plain JSON: `python3 container/protocol.py --describe` prints the same. */
export function describeProtocol(): {
  version: number;
  prefix: string;
  request: Description;
  events: Record<string, Description>;
} {
  return {
    version: PROTOCOL_VERSION,
    prefix: EVENT_PREFIX,
    request: REQUEST.description,
    events: Object.fromEntries(Object.entries(EVENTS).map(([k, s]) => [k, s.description])),
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError(`${what} is not valid JSON`);
  }
}
