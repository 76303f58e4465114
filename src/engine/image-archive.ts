/**
 * An image as one file, for hosts that reach the cloud but no package mirror: `docker save` of one tag
 * into a tar, the tar's own manifest and image config read back (tags and labels, without loading it),
 * and `docker load` of it.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { TcupError } from '../core/errors.js';
import type { Engine } from './engine.js';
import { shortImageName } from './image.js';

export interface ArchivedImage {
  /** `repo:tag` names the archive gives the image (empty when saved by id). */
  repoTags: string[];
  labels: Record<string, string>;
}

/** Only the manifest and image configs are read; layers (large) are skipped. */
const MAX_KEPT = 4 * 1024 * 1024;

/** Writes the image `tag` to `file` (through a temporary file next to it, renamed when complete). */
export async function saveImage(engine: Engine, tag: string, file: string): Promise<number> {
  const partial = `${file}.partial-${process.pid}`;
  let bytes = 0;
  try {
    const source = (await engine.getImage(tag).get()) as unknown as Readable;
    const counter = new PassThrough();
    counter.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await pipeline(source, counter, createWriteStream(partial, { mode: 0o644 }));
    await rename(partial, file);
    return bytes;
  } catch (error) {
    await rm(partial, { force: true });
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code))
      throw new TcupError('USAGE', `cannot write ${file}: ${message}`, 'check the path and the free space', {
        cause: error,
      });
    throw new TcupError('DOCKER_UNAVAILABLE', `the engine could not save ${tag}: ${message}`, undefined, {
      cause: error,
    });
  }
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

const notAnImage = (file: string, why: string) =>
  new TcupError(
    'USAGE',
    `${file} is not a tcup image: ${why}`,
    'give a file written by `tcup image save` (or `docker save` of a tcup-tempest image)',
  );

/**
 * The images in a `docker save` archive (plain or gzipped tar), from its manifest.json and each image's
 * config, legacy (`<id>.json`) and OCI (`blobs/sha256/<id>`) layouts alike. Refuses what is no such tar.
 */
export async function readImageArchive(file: string): Promise<ArchivedImage[]> {
  let gz: boolean;
  try {
    gz = await isGzip(file);
  } catch (error) {
    throw new TcupError('USAGE', `cannot read ${file}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  const kept = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.\//, '');
    const chunks: Buffer[] = [];
    const keep = header.type === 'file' && (header.size ?? 0) <= MAX_KEPT;
    stream.on('data', (chunk: unknown) => {
      if (keep && Buffer.isBuffer(chunk)) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (keep) kept.set(name, Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  try {
    await (gz
      ? pipeline(createReadStream(file), createGunzip(), extract)
      : pipeline(createReadStream(file), extract));
  } catch (error) {
    throw notAnImage(file, `not an image archive (${(error as Error).message})`);
  }
  const manifestText = kept.get('manifest.json');
  if (!manifestText) throw notAnImage(file, 'it has no manifest.json (not written by docker save)');
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText.toString('utf8'));
  } catch {
    throw notAnImage(file, 'its manifest.json is not JSON');
  }
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw notAnImage(file, 'its manifest.json lists no image');
  return manifest.map((entry: unknown): ArchivedImage => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const repoTags = Array.isArray(e.RepoTags)
      ? e.RepoTags.filter((t) => typeof t === 'string').map(shortImageName)
      : [];
    const config = typeof e.Config === 'string' ? kept.get(e.Config) : undefined;
    let labels: Record<string, string> = {};
    if (config) {
      try {
        const parsed = JSON.parse(config.toString('utf8')) as { config?: { Labels?: unknown } };
        const l = parsed.config?.Labels;
        if (l && typeof l === 'object')
          labels = Object.fromEntries(
            Object.entries(l as Record<string, unknown>).filter(
              (kv): kv is [string, string] => typeof kv[1] === 'string',
            ),
          );
      } catch {
        labels = {};
      }
    }
    return { repoTags, labels };
  });
}

interface LoadEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** `docker load` of the file; resolves with the engine's "Loaded image" lines. */
export async function loadImage(engine: Engine, file: string): Promise<string[]> {
  const gz = await isGzip(file);
  const input = gz ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.loadImage(input, { quiet: true });
  } catch (error) {
    throw new TcupError(
      'DOCKER_UNAVAILABLE',
      `the engine could not load ${file}: ${(error as Error).message}`,
    );
  }
  const events = await new Promise<LoadEvent[]>((resolve, reject) =>
    engine.modem.followProgress(stream, (err: Error | null, out: LoadEvent[]) =>
      err ? reject(err) : resolve(out),
    ),
  );
  const bad = events.find((e) => e.error ?? e.errorDetail);
  if (bad)
    throw new TcupError(
      'USAGE',
      `the engine refused ${file}: ${bad.errorDetail?.message ?? bad.error ?? 'unknown error'}`,
    );
  return events.flatMap((e) => (e.stream ? [e.stream.trim()] : [])).filter(Boolean);
}
