/**
 * A host that reaches the cloud but no package mirror, as a user would do it with the single file:
 * `tcup image save FILE` where the image can be built, `docker image rm` (the other host has none),
 * `tcup image load FILE`, then a run that builds nothing. What is not a tcup image is refused, by
 * `image load` and by `--tempest-image`.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import tar from 'tar-stream';
import { launcherInEmptyDir, runLauncher, type LauncherRun } from '../support/launcher.js';
import { describeDocker, openrcEnv, requireDocker } from '../support/testbed.js';
import { type KeystoneTenant, useKeystone } from '../support/beds.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const imageThere = (tag: string) => docker('images', '-q', tag) !== '';

/** A tar shaped like `docker save` (manifest + config) of an image without tcup's labels. */
async function fakeArchive(file: string): Promise<void> {
  const pack = tar.pack();
  const config = JSON.stringify({ config: { Labels: { maintainer: 'someone' } }, rootfs: { diff_ids: [] } });
  pack.entry({ name: 'abc.json' }, config);
  pack.entry(
    { name: 'manifest.json' },
    JSON.stringify([{ Config: 'abc.json', RepoTags: ['x:1'], Layers: [] }]),
  );
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  writeFileSync(file, Buffer.concat(chunks));
}

describeDocker('tcup image save, docker image rm, tcup image load, a run that builds nothing', () => {
  let keystone: KeystoneTenant;
  let dir: string;
  let launcher: string;
  let tag: string;
  let save: LauncherRun;
  let load: LauncherRun;
  let run: LauncherRun;
  let env: Record<string, string>;

  beforeAll(async () => {
    await requireDocker();
    keystone = await useKeystone();
    ({ dir, launcher } = launcherInEmptyDir());
    env = openrcEnv(keystone, keystone.members[0]!);
    tag = execFileSync(process.execPath, [launcher, 'image-tag', '--tempest', '33'], {
      encoding: 'utf8',
    }).trim();
    save = await runLauncher(launcher, ['image', 'save', 'tempest-33.tar', '--tempest', '33'], {
      cwd: dir,
      env,
    });
    expect(save.code, save.stderr).toBe(0);
    docker('image', 'rm', tag);
    expect(imageThere(tag)).toBe(false);
    load = await runLauncher(launcher, ['image', 'load', 'tempest-33.tar'], { cwd: dir, env });
    run = await runLauncher(
      launcher,
      ['--tempest', '33', '--capability', 'identity-v3-tokens-create', '-o', join(dir, 'run')],
      { cwd: dir, env },
    );
  });

  afterAll(async () => {
    await keystone?.dispose();
    rmSync(join(dir, 'tempest-33.tar'), { force: true });
  });

  it('saves the image of the chosen Tempest as one tar', () => {
    expect(save.stderr).toMatch(/› preparing the Tempest 33 \(Debian 12\) image/);
    expect(save.stderr).toMatch(
      /wrote .*tempest-33\.tar \(\d+ MB\): Tempest 33 \(Debian 12\), tcup's patches: none; on the other host: tcup image load/,
    );
    expect(statSync(join(dir, 'tempest-33.tar')).size).toBeGreaterThan(100e6);
  });

  it('loads it after docker image rm: the tag is back, with its labels', () => {
    expect(load.stderr).toContain(`loaded ${tag}: runs of this tcup use it and build nothing`);
    expect(load.code, load.stderr).toBe(0);
    expect(JSON.parse(docker('image', 'inspect', tag, '--format', '{{json .Config.Labels}}'))).toMatchObject({
      tcup: '1',
      'tcup.tempest': '33',
    });
  });

  it('then a run builds nothing and passes', () => {
    expect(run.stderr).toContain(`reusing ${tag}`);
    expect(run.stderr).not.toMatch(/built tcup-tempest/);
    expect(run.code, run.stderr).toBe(0);
  });

  it('--tempest-image uses an image already on the engine, after checking its labels: nothing built', async () => {
    const r = await runLauncher(
      launcher,
      ['--tempest-image', tag, '--capability', 'identity-v3-tokens-create', '-o', join(dir, 'ready')],
      { cwd: dir, env },
    );
    expect(r.stderr).toContain(
      `› using ${tag} (Tempest 33 (Debian 12)), as --tempest-image asks: nothing is built`,
    );
    expect(r.stderr).not.toMatch(/preparing the Tempest|built tcup-tempest/);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses a tar that is not a tcup image, and one that is not an image at all', async () => {
    await fakeArchive(join(dir, 'other.tar'));
    const other = await runLauncher(launcher, ['image', 'load', 'other.tar'], { cwd: dir, env });
    expect(other.stderr).toMatch(/✖ .*other\.tar is not a tcup image \(no image in it has the tcup labels\)/);
    expect(other.code).toBe(2);
    writeFileSync(join(dir, 'notes.tar'), 'just some text, not a tar\n'.repeat(40));
    const junk = await runLauncher(launcher, ['image', 'load', 'notes.tar'], { cwd: dir, env });
    expect(junk.stderr).toMatch(/✖ .*notes\.tar is not a tcup image/);
    expect(junk.code).toBe(2);
  });

  it('--tempest-image refuses an image that is not a tcup image, before anything is built', async () => {
    const r = await runLauncher(launcher, ['--tempest-image', 'debian:bookworm-slim', '-c', 'identity-*'], {
      cwd: dir,
      env,
    });
    expect(r.stderr).toMatch(/✖ debian:bookworm-slim is not a tcup image/);
    expect(r.code).toBe(2);
  });
});
