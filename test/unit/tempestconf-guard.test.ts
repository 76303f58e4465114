/**
 * container/tempestconf.py replaces python-tempestconf internals (the image download above all); a
 * release that renames one must fail the import (and so the image build, which imports it), never run
 * with the original behaviour back. Checked against a stand-in config_tempest package on the host's
 * python3: each replaced name missing in turn fails, all present imports.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PYTHON } from '../support/python.js';

const CONTAINER = fileURLToPath(new URL('../../container/', import.meta.url));
const IMAGE_METHODS = ['create_tempest_images', '_download_file', '_download_image'];

/** A stand-in config_tempest with ImageService lacking `missing` (if any). */
function standIn(missing?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tcup-tempestconf-'));
  const pkg = join(dir, 'config_tempest');
  mkdirSync(join(pkg, 'services'), { recursive: true });
  writeFileSync(join(pkg, '__init__.py'), '');
  writeFileSync(join(pkg, 'constants.py'), 'import logging\nLOG = logging.getLogger("x")\n');
  writeFileSync(join(pkg, 'main.py'), 'def main():\n    return 0\n');
  writeFileSync(join(pkg, 'tempest_conf.py'), 'class TempestConf:\n    def __init__(self):\n        pass\n');
  writeFileSync(join(pkg, 'services', '__init__.py'), '');
  const methods = IMAGE_METHODS.filter((m) => m !== missing)
    .map((m) => `    def ${m}(self, *a, **k):\n        pass\n`)
    .join('');
  writeFileSync(join(pkg, 'services', 'image.py'), `class ImageService:\n${methods || '    pass\n'}`);
  return dir;
}

const made: string[] = [];
const importWith = (missing?: string) => {
  const dir = standIn(missing);
  made.push(dir);
  return spawnSync(HOST_PYTHON!, ['-c', 'import tempestconf'], {
    env: { ...process.env, PYTHONPATH: `${CONTAINER}:${dir}` },
    encoding: 'utf8',
  });
};

describe.skipIf(!HOST_PYTHON)("container/tempestconf.py: python-tempestconf's replaced internals", () => {
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('imports when every replaced name is there', () => {
    const r = importWith();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(IMAGE_METHODS)('fails the import when ImageService.%s is gone', (method) => {
    const r = importWith(method);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`python-tempestconf has no ImageService.${method} any more`);
  });
});
