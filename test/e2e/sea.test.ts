/**
 * The standalone executable (Node's single executable applications): `node scripts/build.mjs --sea`
 * makes dist/tcup; copied alone into an empty directory, it answers --help and builds the same image
 * as the checkout. Prints its size, build time and --help start-up time (measured, not asserted).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImageFiles } from '../../src/engine/build-context.js';
import { imageTag } from '../../src/engine/image.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(process.platform !== 'linux')('standalone executable (SEA)', () => {
  let exe: string;
  let dir: string;
  // PATH holds no node: the executable needs none.
  const env = () => ({ PATH: dir, HOME: dir });

  beforeAll(() => {
    const started = performance.now();
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), '--sea'], { cwd: ROOT, stdio: 'pipe' });
    const buildMs = performance.now() - started;
    dir = mkdtempSync(join(tmpdir(), 'tcup-sea-'));
    exe = join(dir, 'tcup');
    copyFileSync(join(ROOT, 'dist/tcup'), exe);
    execFileSync('chmod', ['+x', exe]);
    console.log(
      `SEA: build ${(buildMs / 1000).toFixed(1)} s, size ${(statSync(exe).size / 1e6).toFixed(1)} MB`,
    );
  }, 300_000);

  it('answers --help from an empty directory, with no Node on PATH needed', () => {
    const times: number[] = [];
    let out = '';
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const r = spawnSync(exe, ['--help'], { cwd: dir, env: env(), encoding: 'utf8' });
      times.push(performance.now() - started);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      out = r.stdout;
    }
    expect(out).toMatch(/Usage: tcup/);
    expect(out).toContain('$ tcup demo');
    times.sort((a, b) => a - b);
    console.log(`SEA: --help median ${times[2]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)} ms)`);
  });

  it('builds the same image as the checkout', () => {
    const r = spawnSync(exe, ['image-tag'], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(imageTag(readImageFiles(ROOT), []));
  });
});
