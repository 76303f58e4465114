/** The image's build context: the Dockerfile and container/, from the checkout or embedded in the bundle. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';

export interface ImageFile {
  /** Path inside the context, with `/` separators: `Dockerfile`, `container/tcup_run.py`. */
  name: string;
  content: Buffer;
}

/** Set by the single-file build (esbuild `define`): the context files, base64. */
declare const __TCUP_IMAGE_FILES__: Record<string, string> | undefined;

/** The folder holding package.json, walking up from this module (src/ under tsx, dist/ when bundled). */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'Dockerfile'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package root above ${from}`);
  }
}

export function loadImageFiles(): ImageFile[] {
  if (typeof __TCUP_IMAGE_FILES__ !== 'undefined') {
    return Object.entries(__TCUP_IMAGE_FILES__).map(([name, b64]) => ({
      name,
      content: Buffer.from(b64, 'base64'),
    }));
  }
  return readImageFiles(packageRoot());
}

export function readImageFiles(root: string): ImageFile[] {
  const files: ImageFile[] = [{ name: 'Dockerfile', content: readFileSync(join(root, 'Dockerfile')) }];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith('.pyc'))
        files.push({ name: relative(root, path).split(sep).join('/'), content: readFileSync(path) });
    }
  };
  walk(join(root, 'container'));
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Executable scripts are 0755, everything else 0644: the same on every checkout. */
function modeOf(name: string): number {
  return /\.(py|sh)$/.test(name) ? 0o755 : 0o644;
}

/** A hash of everything that decides the image: file names, modes, contents and build args. */
export function contextHash(files: readonly ImageFile[], buildArgs: Record<string, string> = {}): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    hash.update(`${f.name}\0${modeOf(f.name)}\0${f.content.length}\0`);
    hash.update(f.content);
  }
  for (const key of Object.keys(buildArgs).sort()) hash.update(`arg\0${key}\0${buildArgs[key]}\0`);
  return hash.digest('hex');
}

/** A tar stream of the context, with fixed mtimes and modes. */
export function packContext(files: readonly ImageFile[]): NodeJS.ReadableStream {
  const pack = tar.pack();
  for (const f of files) pack.entry({ name: f.name, mode: modeOf(f.name), mtime: new Date(0) }, f.content);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}
