import { describe, expect, it } from 'vitest';
import { usesLoopbackProxy } from '../../src/engine/image.js';
import { proxyEnv, proxySecrets } from '../../src/pipeline/steps/proxy.js';
import { createRedactor, REDACTED } from '../../src/redaction/redactor.js';

describe('proxy settings', () => {
  it.each([
    [{}, {}],
    [{ HTTPS_PROXY: 'http://p:3128' }, { HTTPS_PROXY: 'http://p:3128', https_proxy: 'http://p:3128' }],
    [{ no_proxy: 'localhost' }, { NO_PROXY: 'localhost', no_proxy: 'localhost' }],
  ])('passes %j on in both cases', (env, expected) => expect(proxyEnv(env)).toEqual(expected));

  it.each([
    // decoded, as the URL holds it (percent-encoded), and user:password (an HTTP Basic header's base64)
    [{ HTTPS_PROXY: 'http://bob:s%40cret@p:3128' }, ['s@cret', 's%40cret', 'bob:s@cret']],
    [{ HTTPS_PROXY: 'http://bob:plain-pw@p:3128' }, ['plain-pw', 'bob:plain-pw']],
    // Lower-case escapes, a needless one (%41 is A), an encoded user: as written, and decoded.
    [{ http_proxy: 'http://b%6Fb:p%c3%b6%41ss@p:1' }, ['pöAss', 'p%c3%b6%41ss', 'bob:pöAss']],
    [{ HTTP_PROXY: 'http://u:one@p:1', HTTPS_PROXY: 'http://u:one@q:2' }, ['one', 'u:one']],
    [{ HTTP_PROXY: 'http://p:3128', NO_PROXY: 'a,b' }, []],
    [{ HTTP_PROXY: 'not a url' }, []],
    // As written is what the variable holds, not the URL parser's re-encoding (<> and @ stay).
    [{ HTTP_PROXY: "http://u:$%25'%22&<>@p:1" }, ['$%\'"&<>', "$%25'%22&<>", 'u:$%\'"&<>']],
    [{ HTTPS_PROXY: 'http://u:a@b@p:1' }, ['a@b', 'u:a@b']],
    // A % that starts no escape stays (as Python's unquote leaves it); an escape that is no UTF-8 is U+FFFD.
    [{ HTTPS_PROXY: 'http://u:50%off@p:1' }, ['50%off', 'u:50%off']],
    [{ HTTPS_PROXY: 'http://u:p%ff%e2%82x@p:1' }, ['p\ufffd\ufffdx', 'p%ff%e2%82x', 'u:p\ufffd\ufffdx']],
    // Without a scheme (curl and Python's requests take http://).
    [{ https_proxy: 'bob:pw-1@proxy:3128' }, ['pw-1', 'bob:pw-1']],
    [{ HTTPS_PROXY: 'http://bob@proxy:3128', NO_PROXY: 'localhost,.example.com' }, []],
  ])('registers every form of the proxy credentials in %j', (env, expected) =>
    expect(proxySecrets(env)).toEqual(expected),
  );

  it('leaves nothing of the credentials in what a proxy client writes', () => {
    const env = { HTTPS_PROXY: 'http://bob:p%40ss%20w%C3%B6rd@proxy:3128' };
    const redactor = createRedactor(proxySecrets(env));
    const basic = Buffer.from('bob:p@ss wörd').toString('base64');
    const log = [
      `CONNECT keystone:443 HTTP/1.1`,
      `Proxy-Authorization: Basic ${basic}`,
      `proxy: ${env.HTTPS_PROXY}`,
    ].join('\n');
    const out = redactor.redact(log);
    expect(out).toBe(
      [
        'CONNECT keystone:443 HTTP/1.1',
        `Proxy-Authorization: Basic ${REDACTED}`,
        `proxy: http://bob:${REDACTED}@proxy:3128`,
      ].join('\n'),
    );
  });
});

describe('loopback proxies (the build then uses the host network)', () => {
  it.each([
    [{ HTTP_PROXY: 'http://127.0.0.1:3128' }, true],
    [{ https_proxy: 'http://localhost:8080' }, true],
    [{ HTTPS_PROXY: 'http://[::1]:3128' }, true],
    [{ HTTPS_PROXY: 'http://proxy.example.com:3128', NO_PROXY: '127.0.0.1' }, false],
    [{}, false],
  ])('%j: %s', (proxy, expected) => expect(usesLoopbackProxy(proxy)).toBe(expected));
});
