/** The HTTP client's setup: a CA bundle that cannot be read is the user's mistake, named, not a crash. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/core/http.js';
import { TcupError } from '../../src/core/errors.js';

describe('the CA bundle (--cacert, OS_CACERT, cacert: of clouds.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-cacert-'));
  it.each([
    ['a missing file', join(dir, 'no-such-ca.pem'), 'ENOENT'],
    ['a directory', dir, 'EISDIR'],
  ])('%s is a credentials error that names the file', (_, caFile, code) => {
    let thrown: unknown;
    try {
      createHttpClient({ env: {}, caFile });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TcupError);
    const e = thrown as TcupError;
    expect(e.code).toBe('CREDENTIALS');
    expect(e.message).toBe(`cannot read the CA bundle ${caFile} (${code})`);
    expect(e.hint).toMatch(/--cacert.*OS_CACERT/);
  });
});
