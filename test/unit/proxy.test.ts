import { describe, expect, it } from 'vitest';
import { usesLoopbackProxy } from '../../src/engine/image.js';
import { proxyEnv, proxySecrets } from '../../src/pipeline/steps/proxy.js';

describe('proxy settings', () => {
  it.each([
    [{}, {}],
    [{ HTTPS_PROXY: 'http://p:3128' }, { HTTPS_PROXY: 'http://p:3128', https_proxy: 'http://p:3128' }],
    [{ no_proxy: 'localhost' }, { NO_PROXY: 'localhost', no_proxy: 'localhost' }],
  ])('passes %j on in both cases', (env, expected) => expect(proxyEnv(env)).toEqual(expected));

  it.each([
    [{ HTTPS_PROXY: 'http://bob:s%40cret@p:3128' }, ['s@cret']],
    [{ HTTP_PROXY: 'http://p:3128', NO_PROXY: 'a,b' }, []],
    [{ HTTP_PROXY: 'not a url' }, []],
  ])('finds the passwords in %j', (env, expected) => expect(proxySecrets(env)).toEqual(expected));
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
