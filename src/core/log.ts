/**
 * Everything tcup tells the user goes through here, to stderr, and every string passes the redactor
 * first. On a terminal the progress is one line rewritten in place; elsewhere it is printed as lines.
 */
import { debuglog, format } from 'node:util';

const debugSink = debuglog('tcup');
let redactDebug: (text: string) => string = (text) => text;

/**
 * NODE_DEBUG=tcup: one line to stderr (`TCUP <pid>: …`), printf-style (%s, %d, %j), redacted with the
 * run's redactor; nothing at all otherwise (the arguments are not even formatted).
 */
export function debug(message: string, ...args: unknown[]): void {
  if (debugSink.enabled) debugSink('%s', redactDebug(format(message, ...args)));
}

/** Whether NODE_DEBUG names tcup (read once, when the process starts). */
export const debugEnabled = (): boolean => debugSink.enabled;

/** From now on every debug line passes `redact` (the run's redactor, which learns each secret). */
export function redactDebugWith(redact: (text: string) => string): void {
  redactDebug = redact;
}

export interface Reporter {
  step(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** A line of the container's log (shown with --verbose, always kept for tcup.log). */
  log(line: string): void;
  /** The live status line. */
  progress(line: string): void;
  /** Ends the status line. */
  endProgress(): void;
  /** All that was reported, redacted: tcup.log in the results folder. */
  transcript(): string;
}

export interface ReporterOptions {
  write: (text: string) => void;
  isTTY: boolean;
  verbose: boolean;
  redact: (text: string) => string;
}

export function createReporter(options: ReporterOptions): Reporter {
  const { isTTY, verbose, redact } = options;
  const kept: string[] = [];
  let statusShown = false;
  let lastProgress = '';
  const clearStatus = () => {
    if (isTTY && statusShown) options.write('\r\x1b[2K');
    statusShown = false;
  };
  const emit = (text: string, show = true) => {
    const safe = redact(text);
    kept.push(safe);
    if (!show) return;
    clearStatus();
    options.write(safe + '\n');
    if (isTTY && lastProgress) {
      options.write(lastProgress);
      statusShown = true;
    }
  };
  return {
    step: (m) => emit(`› ${m}`),
    info: (m) => emit(`  ${m}`),
    warn: (m) => emit(`! ${m}`),
    log: (line) => emit(`  | ${line}`, verbose),
    progress(line) {
      const safe = redact(line);
      if (isTTY) {
        clearStatus();
        lastProgress = safe;
        options.write(safe);
        statusShown = true;
      } else if (safe !== lastProgress) {
        lastProgress = safe;
        options.write(safe + '\n');
      }
    },
    endProgress() {
      if (isTTY && statusShown) options.write('\n');
      if (lastProgress) kept.push(lastProgress);
      statusShown = false;
      lastProgress = '';
    },
    transcript: () => kept.join('\n') + '\n',
  };
}
