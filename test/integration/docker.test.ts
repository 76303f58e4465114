/** The docker modules against the real engine: builds that fail, builds reused, and the container protocol. */
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadImageFiles, type ImageFile } from '../../src/engine/build-context.js';
import { createEngine } from '../../src/engine/docker.js';
import { pingEngine } from '../../src/engine/engine.js';
import { ensureImage, imageTag } from '../../src/engine/image.js';
import {
  listInstalledTests,
  startContainer,
  type ContainerEvent,
  type StartedContainer,
} from '../../src/engine/container.js';
import { TcupError } from '../../src/core/errors.js';
import { lineWriter } from '../../src/core/lines.js';
import { NEWEST, tempestImageOptions, testbedImageArgs } from '../../src/tempest/variant.js';
import { describeDocker, requireDocker } from '../support/testbed.js';

const engine = createEngine(process.env);
const file = (name: string, text: string): ImageFile => ({ name, content: Buffer.from(text) });
const leftovers = (session: string) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=tcup.session=${session}`], {
    encoding: 'utf8',
  }).trim();
const SECRET = `d0cker "inspect" must not see this ✓`;

describeDocker('docker modules on the real engine', () => {
  const made: string[] = [];
  beforeAll(async () => {
    await requireDocker();
    await pingEngine(engine);
  });
  afterAll(async () => {
    for (const tag of made)
      await engine
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('reports a failed RUN as BUILD_FAILED with the failing step, leaving no container', async () => {
    const marker = `tcup-failing-step-${Date.now()}`;
    const files = [file('Dockerfile', `FROM debian:bookworm-slim\nRUN echo ${marker} && false\n`)];
    const error = await ensureImage(engine, files, { plugins: [], proxy: {}, onLine: () => undefined }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TcupError);
    expect((error as TcupError).code).toBe('BUILD_FAILED');
    expect((error as TcupError).message).toMatch(/at Step 2\/\d+ : RUN echo .* && false: .*non-zero code: 1/);
    const commands = execFileSync('docker', ['ps', '-a', '--no-trunc', '--format', '{{.Command}}'], {
      encoding: 'utf8',
    });
    expect(commands).not.toContain(marker);
  });

  it("builds through a proxy on this machine's loopback (HTTP_PROXY passed in, host network)", async () => {
    const seen: string[] = [];
    const proxy = createServer((req, res) => {
      seen.push(req.url ?? '');
      const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const files = [
        file(
          'Dockerfile',
          `FROM debian:bookworm-slim\nRUN echo ${Date.now()} && apt-get update -o Acquire::Retries=0\n`,
        ),
      ];
      const built = await ensureImage(engine, files, {
        plugins: [],
        proxy: { HTTP_PROXY: url, http_proxy: url },
        onLine: () => undefined,
      });
      made.push(built.tag);
      expect(built.built).toBe(true);
      expect(seen.some((u) => u.includes('/dists/bookworm'))).toBe(true);
      const history = execFileSync('docker', ['history', '--no-trunc', built.tag], { encoding: 'utf8' });
      expect(history).not.toContain(url);
    } finally {
      proxy.close();
    }
  });

  it('builds once, then reuses the image by content hash', async () => {
    const files = [
      file('Dockerfile', `FROM debian:bookworm-slim\nCOPY container/ /x/\nLABEL tcup.test=1\n`),
      file('container/hello.sh', `echo ${Date.now()}\n`),
    ];
    const first = await ensureImage(engine, files, { plugins: [], proxy: {}, onLine: () => undefined });
    made.push(first.tag);
    expect(first).toEqual({ tag: imageTag(files, []), built: true });
    const again = await ensureImage(engine, files, { plugins: [], proxy: {}, onLine: () => undefined });
    expect(again).toEqual({ tag: first.tag, built: false });
    const inspect = await engine.getImage(first.tag).inspect();
    expect(inspect.Config.Labels).toMatchObject({ tcup: '1' });
  });

  it('runs the Tempest image: secrets only on stdin, events on stdout, files out of the tmpfs, then gone', async () => {
    const options = tempestImageOptions(NEWEST, []);
    const image = await ensureImage(engine, loadImageFiles(), {
      ...options,
      // The newest Tempest's Debian (testing) has expired Release files on this machine's mirror snapshot.
      args: { ...options.args, ...testbedImageArgs(NEWEST) },
      proxy: {},
      onLine: () => undefined,
    });
    const session = `it-${Date.now()}`;
    const installed = await listInstalledTests(engine, image.tag, session);
    expect(installed.length).toBeGreaterThan(1000);
    expect(installed).toContainEqual(
      expect.stringMatching(/^tempest\.api\.identity\.v3\.test_tokens\.TokensV3Test\.test_create_token\[id-/),
    );

    const events: ContainerEvent[] = [];
    const log: string[] = [];
    let container: StartedContainer | undefined;
    await startContainer(engine, {
      image: image.tag,
      session,
      network: 'host',
      request: {
        mode: 'run',
        cloud: { auth_url: 'http://127.0.0.1:9/v3', username: 'u', password: SECRET, project_name: 'p' },
        accounts: [{ username: 'u', password: SECRET, project_name: 'p' }],
        tempestconf: [],
        tests: [],
        concurrency: 1,
      },
      onEvent: (e) => events.push(e),
      log: lineWriter((l) => log.push(l)),
      onCreated: (c) => (container = c),
    });
    const inspect = JSON.stringify(await container!.container.inspect());
    expect(inspect).not.toContain(SECRET);
    expect(inspect).toContain('"NetworkMode":"host"');
    expect(inspect).toMatch(/"\/run\/tcup":"rw,nosuid,nodev,size=512m,mode=0700"/);
    const settled = await container!.settled;
    expect(settled).toEqual({ event: 'done', code: 3 });
    const error = events.find((e) => e.event === 'error');
    expect(error && 'message' in error ? error.message : '').toMatch(/tempestconf/);
    const files = await container!.copyOut();
    expect([...files.keys()]).not.toContain('accounts.yaml');
    expect(await container!.release()).toBe(3);
    await container!.remove();
    expect(log.join('\n')).not.toContain(SECRET);
    expect(leftovers(session)).toBe('');
  });
});
