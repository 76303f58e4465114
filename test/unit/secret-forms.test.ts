/**
 * One table of secret forms (test/fixtures/secret-forms.json) through both scrubbers: the launcher's
 * redactor (src/redaction) and the container's (container/scrub.py, run with this machine's python3;
 * test/e2e/protocol-faults.test.ts runs it again inside the built image).
 */
import { describe, expect, it } from 'vitest';
import { proxyEnv, proxySecrets } from '../../src/pipeline/steps/proxy.js';
import { SECRET_FORMS } from '../../src/redaction/forms.js';
import { createRedactor } from '../../src/redaction/redactor.js';
import { HOST_PYTHON, runContainerPython } from '../support/python.js';
import { SCRUBBED, SECRET_CASES, SECRET_VECTORS, scrubInput } from '../support/secret-forms.js';

describe('the shared table of secret forms', () => {
  it('names every form the redactor knows, and only those', () => {
    for (const v of SECRET_VECTORS)
      expect(Object.keys(v.forms).sort()).toEqual(Object.keys(SECRET_FORMS).sort());
  });

  it('has the awkward characters it promises', () => {
    const all = SECRET_VECTORS.map((v) => v.secret).join('');
    for (const c of ['$', '%', '"', "'", '\\', '&', '<', '>', '\u00a0', '\u2003', '\u3000', '\n', '🔑'])
      expect(all).toContain(c);
  });
});

describe('TypeScript redactor', () => {
  it("has a proxy's user:password in the table, as the launcher registers it", () => {
    const [, , basic] = proxySecrets({ HTTPS_PROXY: 'http://bob:p%40ss%20w%C3%B6rd@proxy:3128' });
    expect(SECRET_VECTORS.map((v) => v.secret)).toContain(basic);
  });

  it.each(SECRET_VECTORS)('computes every form of "$name" as the table has it', ({ secret, forms }) => {
    const computed = Object.fromEntries(Object.entries(SECRET_FORMS).map(([k, f]) => [k, f(secret)]));
    expect(computed).toEqual(forms);
  });

  it.each(SECRET_CASES)('removes $name', ({ secret, text }) => {
    expect(createRedactor([secret]).redact(text)).toBe(SCRUBBED);
  });

  it('removes every form from a byte stream cut into single bytes', async () => {
    const redactor = createRedactor(SECRET_VECTORS.map((v) => v.secret));
    const text = SECRET_CASES.map((c) => c.text).join('\n');
    const stream = redactor.createRedactingStream();
    const out: Buffer[] = [];
    stream.on('data', (b: Buffer) => out.push(b));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    for (const byte of Buffer.from(text, 'utf8')) stream.write(Buffer.from([byte]));
    stream.end();
    await ended;
    expect(Buffer.concat(out).toString('utf8')).toBe(SECRET_CASES.map(() => SCRUBBED).join('\n'));
  });
});

describe.skipIf(!HOST_PYTHON)('container scrubber (container/scrub.py, host python3)', () => {
  it('computes every form as the table has it', () => {
    const forms = runContainerPython(
      'scrub.py',
      ['--forms'],
      SECRET_VECTORS.map((v) => v.secret),
    );
    expect(forms).toEqual(SECRET_VECTORS.map((v) => v.forms));
  });

  it('removes every form of every secret', () => {
    const out = runContainerPython('scrub.py', ['--apply'], scrubInput()) as string[];
    const failed = SECRET_CASES.filter((_, i) => out[i] !== SCRUBBED).map((c) => c.name);
    expect(failed).toEqual([]);
  });

  it('removes every form from bytes handed over as a memoryview (subunit attachments, Debian testing)', () => {
    const out = runContainerPython('scrub.py', ['--apply-bytes'], scrubInput()) as string[];
    const failed = SECRET_CASES.filter((_, i) => out[i] !== SCRUBBED).map((c) => c.name);
    expect(failed).toEqual([]);
  });

  it.each([
    { HTTPS_PROXY: 'http://bob:p%40ss%20w%C3%B6rd@proxy:3128', NO_PROXY: 'localhost,127.0.0.1' },
    { HTTP_PROXY: "http://u:$%25'%22&<>@p:1", https_proxy: 'http://u:second@p:2' },
    { HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'not a url' },
    { HTTPS_PROXY: 'http://b%6Fb:a@b%ff%e2%82@p:1/x?y#z', HTTP_PROXY: 'u:50%off@p:2' },
    { HTTPS_PROXY: 'http://bob@proxy:3128', HTTP_PROXY: 'http://:only-pw@p:1' },
  ])('registers the proxy secrets the launcher registers: %o', (env) => {
    // Each password decoded and as the variable holds it, and user:password (its base64 is the Basic
    // header): what the container gets in the request's proxy, it must scrub as the launcher redacts.
    const found = runContainerPython('scrub.py', ['--proxy-secrets'], proxyEnv(env)) as string[];
    expect(found).toEqual(proxySecrets(env));
  });
});

if (!HOST_PYTHON)
  console.warn('no python3 >= 3.11 here: container/scrub.py is tested in the image only (e2e)');
