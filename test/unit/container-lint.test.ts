/**
 * `npm run lint` lints the container's Python with pyflakes (Debian's pyflakes3, which .ci/run
 * installs): the linter is clean on container/ and fires on a planted fault, so it is a rule that works.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HAS_PYFLAKES = spawnSync('pyflakes3', ['--version']).status === 0;
if (!HAS_PYFLAKES && process.env.CI === 'true')
  throw new Error('CI=true and no pyflakes3: the container linter must run in CI (apt install pyflakes3)');

describe.skipIf(!HAS_PYFLAKES)('the container linter (pyflakes3)', () => {
  it('is part of npm run lint', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { lint: string } };
    expect(pkg.scripts.lint).toMatch(/pyflakes3 container/);
  });

  it('passes container/', () => {
    const r = spawnSync('pyflakes3', ['container'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['an unused import', 'import os\n', /'os' imported but unused/],
    ['an undefined name', 'def f():\n    return missing_name\n', /undefined name 'missing_name'/],
  ])('fails on %s', (_what, source, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-pyflakes-'));
    try {
      writeFileSync(join(dir, 'planted.py'), source);
      const r = spawnSync('pyflakes3', [dir], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
