/**
 * `tcup cleanup` on the real engine: containers, a network and a volume labelled as a run labels them,
 * of a launcher that is gone, of one still running (this test) and of another host; a tcup image that
 * this version does not build. --dry-run lists and keeps; a real run removes only what may go.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanupCommand, type CleanupOptions } from '../../src/commands/cleanup.js';
import { createEngine } from '../../src/engine/docker.js';
import { pingEngine, statusOf } from '../../src/engine/engine.js';
import { currentImageTags } from '../../src/engine/image.js';
import { listTcupImages, removeImage } from '../../src/engine/inventory.js';
import type { Deps } from '../../src/pipeline/options.js';
import { PLUGINS } from '../../src/guidelines/model.js';
import { createRedactor } from '../../src/redaction/redactor.js';
import { VARIANT_IMAGE_ARGS } from '../../src/tempest/variant.js';
import { describeDocker, requireDocker } from '../support/testbed.js';

const engine = createEngine(process.env);
const BASE = 'debian:bookworm-slim';
const run = randomBytes(4).toString('hex');
const MARK = 'tcup.cleanup-test';

/** The pid of a process that has ended: a launcher killed with SIGKILL looks like this. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function cleanup(options: Partial<CleanupOptions>): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d: Buffer) => (text += d.toString()));
  const deps = {
    env: process.env,
    stdout: stdout as unknown as NodeJS.WriteStream,
    redactor: createRedactor(),
    owner: { host: hostname(), pid: process.pid, isAlive },
    engine: (env: Readonly<Record<string, string | undefined>>) => Promise.resolve(createEngine(env)),
  } as unknown as Deps;
  const code = await cleanupCommand(deps, { dryRun: false, images: false, all: false, ...options });
  expect(code).toBe(0);
  return text;
}

async function exists(kind: 'container' | 'network' | 'volume' | 'image', id: string): Promise<boolean> {
  const inspect = {
    container: () => engine.getContainer(id).inspect(),
    network: () => engine.getNetwork(id).inspect(),
    volume: () => engine.getVolume(id).inspect(),
    image: () => engine.getImage(id).inspect(),
  }[kind];
  try {
    await inspect();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

describeDocker('tcup cleanup on the real engine', () => {
  const gone = `${hostname()}/${deadPid()}/${run}`;
  const live = `${hostname()}/${process.pid}/${run}`;
  const elsewhere = `elsewhere.example/4242/${run}`;
  const names = {
    gone: `tcup-cleanup-gone-${run}`,
    live: `tcup-cleanup-live-${run}`,
    far: `tcup-cleanup-far-${run}`,
  };
  const image = `tcup-tempest:cleanup-test-${run}`;
  const labels = (session: string) => ({ tcup: '1', 'tcup.session': session, [MARK]: run });

  beforeAll(async () => {
    await requireDocker();
    await pingEngine(engine);
    for (const [name, session] of [
      [names.gone, gone],
      [names.live, live],
      [names.far, elsewhere],
    ] as const)
      await engine.createContainer({ name, Image: BASE, Labels: labels(session), Cmd: ['true'] });
    await engine.createNetwork({ Name: `tcup-cleanup-net-${run}`, Labels: labels(gone) });
    await engine.createVolume({ Name: `tcup-cleanup-vol-${run}`, Labels: labels(gone) });
    // A tcup image of another version: built like tcup builds, labelled tcup=1, a tag no version makes.
    execFileSync('docker', ['build', '-q', '-t', image, '--label', 'tcup=1', '-'], {
      input: `FROM ${BASE}\nLABEL ${MARK}=${run}\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  });

  afterAll(async () => {
    for (const name of Object.values(names))
      await engine
        .getContainer(name)
        .remove({ force: true })
        .catch(() => undefined);
    await engine
      .getNetwork(`tcup-cleanup-net-${run}`)
      .remove()
      .catch(() => undefined);
    await engine
      .getVolume(`tcup-cleanup-vol-${run}`)
      .remove()
      .catch(() => undefined);
    await removeImage(engine, image).catch(() => undefined);
  });

  it('--dry-run lists what may go and what stays, and removes nothing', async () => {
    const out = await cleanup({ dryRun: true });
    const pid = gone.split('/')[1]!;
    expect(out).toContain(`would remove container ${names.gone} (created, its tcup (pid ${pid}) is gone)`);
    expect(out).toContain(
      `keeping container ${names.live} (created, its tcup (pid ${process.pid}) is still running)`,
    );
    expect(out).toContain(
      `keeping container ${names.far} (created, made by tcup on elsewhere.example: --all removes it)`,
    );
    expect(out).toContain(`would remove network tcup-cleanup-net-${run} (its tcup (pid ${pid}) is gone)`);
    expect(out).toContain(`would remove volume tcup-cleanup-vol-${run} (its tcup (pid ${pid}) is gone)`);
    expect(out).toMatch(
      /would remove \d+ containers?, \d+ networks?, \d+ volumes? \(dry run: nothing removed\)/,
    );
    expect(out).not.toContain(`image ${image}`);
    for (const name of Object.values(names)) expect(await exists('container', name), name).toBe(true);
    expect(await exists('network', `tcup-cleanup-net-${run}`)).toBe(true);
    expect(await exists('volume', `tcup-cleanup-vol-${run}`)).toBe(true);
  });

  it('--all --dry-run would also take what this host cannot check, never what a live tcup uses', async () => {
    const out = await cleanup({ dryRun: true, all: true });
    expect(out).toContain(`would remove container ${names.far} (created, made by tcup on elsewhere.example)`);
    expect(out).toContain(`keeping container ${names.live} `);
  });

  it('--images --dry-run lists a tcup image this version does not build, and none that it does', async () => {
    const out = await cleanup({ dryRun: true, images: true });
    expect(out).toContain(`would remove image ${image} (not an image this tcup builds)`);
    for (const tag of currentImageTags([[], ...Object.values(PLUGINS)], VARIANT_IMAGE_ARGS))
      expect(out).not.toContain(`image ${tag} `);
    expect(await exists('image', image)).toBe(true);
  });

  it('removes what its gone launcher left, keeps the rest', async () => {
    const out = await cleanup({});
    expect(out).toContain(`removing container ${names.gone} `);
    expect(out).toMatch(/^removed \d+ containers?, \d+ networks?, \d+ volumes?$/m);
    expect(await exists('container', names.gone)).toBe(false);
    expect(await exists('network', `tcup-cleanup-net-${run}`)).toBe(false);
    expect(await exists('volume', `tcup-cleanup-vol-${run}`)).toBe(false);
    expect(await exists('container', names.live)).toBe(true);
    expect(await exists('container', names.far)).toBe(true);
  });

  it('removes an image by name (never one a container uses), and a name already gone is fine', async () => {
    expect((await listTcupImages(engine)).some((i) => i.tags.includes(image))).toBe(true);
    await removeImage(engine, image);
    expect(await exists('image', image)).toBe(false);
    await expect(removeImage(engine, image)).resolves.toBeUndefined();
  });
});
