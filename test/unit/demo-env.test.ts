import { describe, expect, it } from 'vitest';
import { DEMO_MEMBERS, demoEnv } from '../../src/commands/demo.js';

describe('demoEnv', () => {
  const url = 'http://127.0.0.1:4242/v3';

  it("replaces the user's own cloud (every OS_*) with the demo cloud's openrc", () => {
    const env = demoEnv({ PATH: '/bin', OS_CLOUD: 'prod', OS_PASSWORD: 'theirs', OS_TOKEN: 't' }, url, 'pw');
    expect(env).toMatchObject({
      PATH: '/bin',
      OS_AUTH_URL: url,
      OS_USERNAME: DEMO_MEMBERS[0],
      OS_PASSWORD: 'pw',
    });
    expect(env.OS_CLOUD).toBeUndefined();
    expect(env.OS_TOKEN).toBeUndefined();
  });

  it('keeps a proxy but never for the loopback cloud', () => {
    expect(demoEnv({ https_proxy: 'http://p:3128', no_proxy: 'corp' }, url, 'pw')).toMatchObject({
      https_proxy: 'http://p:3128',
      NO_PROXY: 'corp,127.0.0.1,localhost',
      no_proxy: 'corp,127.0.0.1,localhost',
    });
    expect(demoEnv({}, url, 'pw').NO_PROXY).toBeUndefined();
  });
});
