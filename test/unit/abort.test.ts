import { describe, expect, it } from 'vitest';
import { abortError, throwIfAborted, whenAborted } from '../../src/core/abort.js';
import { TcupError } from '../../src/core/errors.js';

describe('abort', () => {
  it('throws the signal’s own TcupError (SIGTERM stays TERMINATED)', () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    c.abort(new TcupError('TERMINATED', 'interrupted by SIGTERM'));
    expect(() => throwIfAborted(c.signal)).toThrow(expect.objectContaining({ code: 'TERMINATED' }) as Error);
  });

  it('makes an INTERRUPTED error when the reason is something else', () => {
    const c = new AbortController();
    c.abort(new Error('x'));
    expect(abortError(c.signal, 'stopping')).toMatchObject({ code: 'INTERRUPTED', message: 'stopping' });
  });

  it('rejects once the signal fires, and at once when it already has', async () => {
    const c = new AbortController();
    const pending = whenAborted(c.signal);
    c.abort(new TcupError('INTERRUPTED', 'interrupted by SIGINT'));
    await expect(pending).rejects.toMatchObject({ code: 'INTERRUPTED', message: 'interrupted by SIGINT' });
    await expect(whenAborted(c.signal)).rejects.toMatchObject({ code: 'INTERRUPTED' });
  });
});
