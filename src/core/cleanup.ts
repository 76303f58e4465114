import { debug } from './log.js';

/** Resources to release, in reverse order of creation, once, whatever happened. */
export interface CleanupStack {
  defer(label: string, release: () => Promise<unknown>): void;
  /** Runs every release (LIFO), once; returns the labels of those that failed. */
  dispose(): Promise<string[]>;
  /** What is still held: for the message after a second Ctrl-C. */
  pending(): string[];
}

export function createCleanupStack(): CleanupStack {
  const stack: { label: string; release: () => Promise<unknown> }[] = [];
  let disposing: Promise<string[]> | undefined;
  return {
    defer(label, release) {
      stack.push({ label, release });
    },
    pending: () => stack.map((s) => s.label),
    dispose() {
      disposing ??= (async () => {
        const failed: string[] = [];
        while (stack.length > 0) {
          const item = stack.pop()!;
          try {
            await item.release();
            debug('released %s', item.label);
          } catch (error) {
            debug('could not release %s: %s', item.label, error instanceof Error ? error.message : error);
            failed.push(item.label);
          }
        }
        return failed;
      })();
      return disposing;
    },
  };
}
