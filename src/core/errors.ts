/** The one error type of tcup: a code (which decides the exit status), a message and a hint. */
export type ErrorCode =
  | 'USAGE'
  | 'CREDENTIALS'
  | 'AUTH_FAILED'
  | 'PROMPT_ABORTED'
  | 'DOCKER_UNAVAILABLE'
  | 'BUILD_FAILED'
  | 'RUN_FAILED'
  | 'RESULTS_MISSING'
  | 'NOT_COMPLIANT'
  | 'UPLOAD_FAILED'
  | 'INTERRUPTED'
  | 'TERMINATED'
  | 'HANGUP'
  | 'OUTPUT_CLOSED';

export class TcupError extends Error {
  override readonly name = 'TcupError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Exit codes, one table; README's "Exit codes" section is this table. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  USAGE: 2,
  CREDENTIALS: 3,
  AUTH_FAILED: 4,
  DOCKER_UNAVAILABLE: 5,
  BUILD_FAILED: 6,
  RUN_FAILED: 7,
  RESULTS_MISSING: 8,
  NOT_COMPLIANT: 9,
  UPLOAD_FAILED: 10,
  PROMPT_ABORTED: 130,
  INTERRUPTED: 130,
  /** SIGHUP: the terminal went away. */
  HANGUP: 129,
  /** The reader of stdout or stderr went away (EPIPE: `tcup … | head`), as SIGPIPE would end a tool. */
  OUTPUT_CLOSED: 141,
  TERMINATED: 143,
};

/** How each signal tcup handles ends it. */
export const SIGNAL_ERRORS = {
  SIGINT: 'INTERRUPTED',
  SIGTERM: 'TERMINATED',
  SIGHUP: 'HANGUP',
} as const satisfies Record<string, ErrorCode>;

/** The codes of a run stopped from outside (a signal, a closed output): they win over the error it caused. */
export const STOP_CODES: ReadonlySet<ErrorCode> = new Set([...Object.values(SIGNAL_ERRORS), 'OUTPUT_CLOSED']);

/** Exit code of a successful run, and of an error that is not a TcupError (a bug). */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
