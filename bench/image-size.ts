/** Sizes of tcup's images: the core image as tcup uses it, and the variant with add-on Tempest plugins. */
import { performance } from 'node:perf_hooks';
import { loadImageFiles } from '../src/engine/build-context.js';
import { createEngine } from '../src/engine/docker.js';
import { ensureImage } from '../src/engine/image.js';
import { proxyEnv } from '../src/pipeline/steps/proxy.js';

export const ADDON_PLUGINS = ['designate-tempest-plugin', 'heat-tempest-plugin'];

export interface PluginImage {
  tag: string;
  bytes: number;
  built: boolean;
  buildMs: number;
}

export async function imageBytes(tag: string): Promise<number> {
  const engine = createEngine(process.env);
  const info = await engine.getImage(tag).inspect();
  return info.Size;
}

/** Builds the add-on image as tcup would (kept afterwards: tcup reuses it for dns/orchestration runs). */
export async function ensurePluginImage(signal: AbortSignal): Promise<PluginImage> {
  const engine = createEngine(process.env);
  const started = performance.now();
  const image = await ensureImage(engine, loadImageFiles(), {
    plugins: ADDON_PLUGINS,
    proxy: proxyEnv(process.env),
    onLine: () => undefined,
    signal,
  });
  const buildMs = performance.now() - started;
  return { tag: image.tag, bytes: await imageBytes(image.tag), built: image.built, buildMs };
}

export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
