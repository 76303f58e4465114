/**
 * The CA bundle: a file that cannot be read is the user's mistake, named, not a crash; for each place
 * that reads it (the HTTP client, and the PEM text the test container gets).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/core/http.js';
import { TcupError } from '../../src/core/errors.js';
import { containerCloud } from '../../src/pipeline/steps/cloud.js';

const readers: [string, (caFile: string) => unknown][] = [
  ['the HTTP client', (caFile) => createHttpClient({ env: {}, caFile })],
  [
    "the test container's request",
    (cacert) =>
      containerCloud({
        credentials: {
          authUrl: 'https://keystone.example:5000/v3',
          authType: 'password',
          username: 'demo',
          password: 'secret',
          projectName: 'demo',
          interface: 'public',
          identityApiVersion: '3',
          insecure: false,
          cacert,
          source: { kind: 'env' },
        },
      }),
  ],
];

describe('the CA bundle (--cacert, OS_CACERT, cacert: of clouds.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-cacert-'));
  const files = [
    ['a missing file', join(dir, 'no-such-ca.pem'), 'ENOENT'],
    ['a directory', dir, 'EISDIR'],
  ] as const;
  it.each(readers.flatMap(([reader, read]) => files.map((f) => [reader, ...f, read] as const)))(
    '%s: %s is a credentials error that names the file',
    (_, __, caFile, code, read) => {
      let thrown: unknown;
      try {
        read(caFile);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TcupError);
      const e = thrown as TcupError;
      expect(e.code).toBe('CREDENTIALS');
      expect(e.message).toBe(`cannot read the CA bundle ${caFile} (${code})`);
      expect(e.hint).toMatch(/--cacert.*OS_CACERT/);
    },
  );
});
