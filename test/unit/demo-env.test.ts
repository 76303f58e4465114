import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEMO_MEMBERS, demoCommand, demoEnv } from '../../src/commands/demo.js';
import type { Deps } from '../../src/pipeline/options.js';
import { createRedactor, REDACTED } from '../../src/redaction/redactor.js';

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

describe('demoCommand', () => {
  it('registers the proxy credentials before the demo image is built (its build output may echo them)', async () => {
    const redactor = createRedactor();
    const env = {
      HTTPS_PROXY: 'http://bob:s%40cret-pw@proxy:3128',
      DOCKER_HOST: `unix://${tmpdir()}/tcup-no-such-docker.sock`,
    };
    const engine = () =>
      Promise.resolve({
        location: { address: 'unix:///nowhere.sock', source: 'DOCKER_HOST', tried: ['DOCKER_HOST'] },
        ping: () => Promise.reject(new Error('no engine')),
      });
    const deps = {
      env,
      cwd: tmpdir(),
      stderr: Object.assign(new PassThrough(), { isTTY: false }),
      redactor,
      signal: new AbortController().signal,
      now: () => 0,
      engine,
      owner: { host: 'test', pid: process.pid, isAlive: () => true },
    } as unknown as Deps;
    await expect(demoCommand(deps, { verbose: false, cwd: tmpdir() })).rejects.toMatchObject({
      code: 'DOCKER_UNAVAILABLE',
    });
    expect(redactor.redact('Proxy-Authorization: Basic Ym9iOnNAY3JldC1wdw== to s%40cret-pw')).toBe(
      `Proxy-Authorization: Basic ${REDACTED} to ${REDACTED}`,
    );
  });
});
