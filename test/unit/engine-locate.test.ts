import { describe, expect, it } from 'vitest';
import { locateEngine } from '../../src/engine/docker.js';
import { describeEngine, pingEngine, type Engine, type EngineVersion } from '../../src/engine/engine.js';
import { TcupError } from '../../src/core/errors.js';

const DOCKER = '/var/run/docker.sock';
const ROOTFUL = '/run/podman/podman.sock';
const ROOTLESS = '/run/user/1000/podman/podman.sock';

describe('where tcup finds its engine', () => {
  it.each([
    {
      name: 'DOCKER_HOST wins over every socket',
      env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [DOCKER, ROOTFUL, ROOTLESS],
      address: 'tcp://10.0.0.5:2376',
      source: 'DOCKER_HOST',
    },
    {
      name: "Docker's socket before Podman's",
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [DOCKER, ROOTFUL, ROOTLESS],
      address: `unix://${DOCKER}`,
      source: 'the Docker socket',
    },
    {
      name: "Podman's rootful socket when Docker has none",
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [ROOTFUL, ROOTLESS],
      address: `unix://${ROOTFUL}`,
      source: "Podman's rootful socket",
    },
    {
      name: "the user's rootless Podman socket last",
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [ROOTLESS],
      address: `unix://${ROOTLESS}`,
      source: "Podman's rootless socket",
    },
    {
      name: "no socket: Docker's, so the error names where tcup looked",
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [],
      address: `unix://${DOCKER}`,
      source: 'the Docker socket',
    },
    {
      name: "a Docker socket this user may not use gives way to the user's rootless Podman",
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [ROOTLESS],
      denied: [DOCKER, ROOTFUL],
      address: `unix://${ROOTLESS}`,
      source: "Podman's rootless socket",
    },
    {
      name: 'only sockets this user may not use: the first of them (its error says so)',
      env: { XDG_RUNTIME_DIR: '/run/user/1000' },
      sockets: [],
      denied: [ROOTFUL],
      address: `unix://${ROOTFUL}`,
      source: "Podman's rootful socket",
    },
    {
      name: 'no XDG_RUNTIME_DIR: no rootless socket to look for',
      env: {},
      sockets: [ROOTLESS],
      address: `unix://${DOCKER}`,
      source: 'the Docker socket',
    },
  ])('$name', ({ env, sockets, denied = [], address, source }) => {
    const location = locateEngine(env, (path) =>
      sockets.includes(path) ? 'usable' : denied.includes(path) ? 'no access' : 'none',
    );
    expect(location).toMatchObject({ address, source });
  });

  it('lists every place it looked, in order', () => {
    expect(locateEngine({ XDG_RUNTIME_DIR: '/run/user/1000' }, () => 'none').tried).toEqual([
      `unix://${DOCKER}`,
      `unix://${ROOTFUL}`,
      `unix://${ROOTLESS}`,
    ]);
  });
});

describe('which engine answered', () => {
  const engineAnswering = (version: EngineVersion | Error, ping: 'ok' | 'fail' = 'ok'): Engine =>
    ({
      location: {
        address: 'unix:///run/podman/podman.sock',
        source: "Podman's rootful socket",
        tried: ['a', 'b'],
      },
      ping: () => (ping === 'ok' ? Promise.resolve('OK') : Promise.reject(new Error('connect ENOENT'))),
      version: () => (version instanceof Error ? Promise.reject(version) : Promise.resolve(version)),
    }) as unknown as Engine;

  it.each([
    {
      name: 'Podman names itself in Components',
      version: {
        Version: '4.3.1',
        Components: [
          { Name: 'Podman Engine', Version: '4.3.1' },
          { Name: 'Conmon', Version: 'conmon version 2.1.6' },
        ],
      },
      line: 'engine: Podman 4.3.1 at unix:///run/podman/podman.sock',
    },
    {
      name: 'Docker',
      version: { Version: '20.10.24+dfsg1', Components: [{ Name: 'Engine', Version: '20.10.24+dfsg1' }] },
      line: 'engine: Docker 20.10.24+dfsg1 at unix:///run/podman/podman.sock',
    },
    {
      name: 'an engine that does not say',
      version: new Error('404'),
      line: 'engine: Docker unknown version at unix:///run/podman/podman.sock',
    },
  ])('$name', async ({ version, line }) => {
    expect(describeEngine(await pingEngine(engineAnswering(version)))).toBe(line);
  });

  it('no answer: the named error says every place tcup looked, and how to start either engine', async () => {
    const error = await pingEngine(engineAnswering({}, 'fail')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TcupError);
    expect((error as TcupError).code).toBe('DOCKER_UNAVAILABLE');
    expect((error as TcupError).message).toBe(
      'no container engine answers at a, b: is Docker or Podman running?',
    );
    expect((error as TcupError).hint).toMatch(/podman\.socket/);
  });
});
