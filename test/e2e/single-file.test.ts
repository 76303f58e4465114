/**
 * The single file and the checkout build the same images: the tags (content hashes of the embedded
 * context and of the demo recipe) printed by the bundle, run alone in an empty directory, equal the ones
 * computed from the checkout's files. The test bed builds its Keystone from that same recipe.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readImageFiles } from '../../src/engine/build-context.js';
import { readDemoRecipe } from '../../src/engine/demo-recipe.js';
import { DEMO_IMAGE_REPO } from '../../src/engine/demo-cloud.js';
import { imageTag } from '../../src/engine/image.js';
import { launcherInEmptyDir } from '../support/launcher.js';
import { keystoneImage } from '../support/testbed.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('single file: same images as the checkout', () => {
  const { dir, launcher } = launcherInEmptyDir();
  const tcup = (...args: string[]) =>
    execFileSync(process.execPath, [launcher, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      encoding: 'utf8',
    });

  it('embeds the Dockerfile and container/ byte for byte: the Tempest image tag is the same', () => {
    const fromCheckout = imageTag(readImageFiles(ROOT), []);
    expect(fromCheckout).toMatch(/^tcup-tempest:[0-9a-f]{16}$/);
    expect(tcup('image-tag').trim()).toBe(fromCheckout);
  });

  it('embeds the demo cloud recipe: the demo image tag is the same, and the test bed uses that recipe', () => {
    const fromCheckout = imageTag(readDemoRecipe(ROOT), [], DEMO_IMAGE_REPO);
    expect(tcup('image-tag', '--demo').trim()).toBe(fromCheckout);
    expect(keystoneImage().split(':')[1]).toBe(fromCheckout.split(':')[1]);
  });

  it('lists demo in --help, and keeps image-tag out of it', () => {
    const help = tcup('--help');
    expect(help).toMatch(/^\s+demo\s/m);
    expect(help).toContain('$ tcup demo');
    expect(help).not.toContain('image-tag');
  });
});
