/** What an aborted run throws: the signal's own TcupError (INTERRUPTED or TERMINATED, set by cli.ts). */
import { TcupError } from './errors.js';

export function abortError(signal: AbortSignal, message = 'interrupted'): TcupError {
  return signal.reason instanceof TcupError ? signal.reason : new TcupError('INTERRUPTED', message);
}

/** Throws the abort error when the run has been interrupted. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/** Rejects with the abort error once the signal fires (handled, so it never goes unobserved). */
export function whenAborted(signal: AbortSignal, message?: string): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(abortError(signal, message));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => undefined);
  return aborted;
}
