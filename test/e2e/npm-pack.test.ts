/**
 * `npm pack` makes an installable package: the tarball holds the single file (built by `prepack`), declares
 * no runtime dependencies (the bundle embeds them), installs with no network at all (`--offline`), and its
 * `tcup` bin works from an empty directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeVariants } from '../../src/tempest/variant.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

interface PackResult {
  filename: string;
  files: { path: string }[];
}

describe('npm pack', () => {
  let tmp: string;
  let packed: PackResult;
  const npm = (args: string[], cwd: string) =>
    execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tcup-pack-'));
    const out = npm(['pack', '--json', '--pack-destination', tmp], ROOT);
    packed = (JSON.parse(out.slice(out.indexOf('['))) as PackResult[])[0]!;
  }, 120_000);

  it('ships the single file and the docs, with no runtime dependencies', () => {
    const paths = packed.files.map((f) => f.path).sort();
    expect(paths).toEqual(['CHANGELOG.md', 'README.md', 'dist/tcup.cjs', 'package.json']);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xOzf', join(tmp, packed.filename), 'package/package.json'], {
        encoding: 'utf8',
      }),
    ) as { dependencies?: object; bin: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.bin).toEqual({ tcup: 'dist/tcup.cjs' });
  });

  it('installs offline and its tcup bin works from an empty directory', () => {
    const prefix = join(tmp, 'prefix');
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    npm(['install', '--global', '--offline', '--prefix', prefix, join(tmp, packed.filename)], empty);
    const bin = join(prefix, 'bin/tcup');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: empty };
    const help = execFileSync(bin, ['--help'], { cwd: empty, env, encoding: 'utf8' });
    expect(help).toMatch(/Usage: tcup/);
    expect(help).toContain('$ tcup demo');
    // The version, then one line per bundled Tempest with the patches its image carries.
    const version = execFileSync(bin, ['--version'], { cwd: empty, env, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(version[0]).toBe(pkg.version);
    expect(version.slice(1)).toEqual(describeVariants());
  });
});
