/** Build (or reuse, by content hash) tcup's Tempest image from an in-memory context. */
import { TcupError } from '../core/errors.js';
import { contextHash, loadImageFiles, packContext, type ImageFile } from './build-context.js';
import { DEMO_IMAGE_REPO, loadDemoRecipe } from './demo-recipe.js';
import { statusOf, type Engine } from './engine.js';
import { PROTOCOL_VERSION } from '../protocol/container.js';

export const IMAGE_REPO = 'tcup-tempest';
export const LABEL_TOOL = 'tcup';
/** The full content hash the image was built from (its tag holds the first 16 hex digits). */
export const LABEL_HASH = 'tcup.hash';
/** The container protocol version the image's scripts speak (src/protocol/container.ts). */
export const LABEL_PROTOCOL = 'tcup.protocol';
/** The Tempest variant of a Tempest image ("43", "33") and its add-on plugins (space-separated). */
export const LABEL_TEMPEST = 'tcup.tempest';
export const LABEL_PLUGINS = 'tcup.plugins';

/**
 * An image name as Docker prints it: Podman qualifies names (`docker.io/library/tcup-tempest:…` for a
 * build, `localhost/tcup-tempest:…` for a load of a Docker archive), and both stand for the short one.
 */
export const shortImageName = (name: string): string =>
  name.replace(/^(docker\.io\/library\/|localhost\/)/, '');

export interface BuiltImage {
  tag: string;
  /** false when an image with this content hash was already there. */
  built: boolean;
}

export interface ImageOptions {
  /** Debian packages of Tempest plugins to add (add-on guidelines). */
  plugins: readonly string[];
  /** HTTP(S)_PROXY / NO_PROXY for the build's apt-get (predefined args: not kept in the image's history). */
  proxy: Record<string, string>;
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** Image repository (default tcup-tempest; the demo cloud's image has its own). */
  repo?: string;
  /** Build args that decide the content (e.g. DEBIAN=trixie): passed to the build and hashed. */
  args?: Readonly<Record<string, string>>;
  /** Labels set on the image besides tcup=1 and tcup.hash (not hashed: derived from the content). */
  labels?: Readonly<Record<string, string>>;
}

/** The build args that decide an image: the content ones, and TCUP_PLUGINS when there are plugins. */
function contentArgs(
  plugins: readonly string[],
  args: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...args, ...(plugins.length > 0 ? { TCUP_PLUGINS: [...plugins].sort().join(' ') } : {}) };
}

/** The full content hash of an image: its files, and the build args that decide it. */
export function imageHash(
  files: readonly ImageFile[],
  plugins: readonly string[],
  args: Readonly<Record<string, string>> = {},
): string {
  return contextHash(files, contentArgs(plugins, args));
}

export function imageTag(
  files: readonly ImageFile[],
  plugins: readonly string[],
  repo: string = IMAGE_REPO,
  args: Readonly<Record<string, string>> = {},
): string {
  return tagOf(imageHash(files, plugins, args), repo);
}

/** `repo:<first 16 hex digits of the content hash>`. */
export function tagOf(hash: string, repo: string = IMAGE_REPO): string {
  return `${repo}:${hash.slice(0, 16)}`;
}

/**
 * The tags of the images this version of tcup builds: `tcup cleanup --images` keeps these and removes
 * other tcup images. One entry per kind of image (the Tempest image with each set of add-on plugins,
 * the demo cloud): an image of another base is one more entry here.
 */
export function currentImageTags(
  pluginSets: readonly (readonly string[])[],
  /** The build args of each Tempest variant (src/tempest/variant.ts VARIANT_IMAGE_ARGS). */
  variantArgs: readonly Readonly<Record<string, string>>[] = [{}],
): string[] {
  const tempest = loadImageFiles();
  return [
    ...variantArgs.flatMap((args) =>
      pluginSets.map((plugins) => imageTag(tempest, plugins, IMAGE_REPO, args)),
    ),
    imageTag(loadDemoRecipe(), [], DEMO_IMAGE_REPO),
  ];
}

export async function imageExists(engine: Engine, tag: string): Promise<boolean> {
  try {
    await engine.getImage(tag).inspect();
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export async function ensureImage(
  engine: Engine,
  files: readonly ImageFile[],
  options: ImageOptions,
): Promise<BuiltImage> {
  const hash = imageHash(files, options.plugins, options.args);
  const tag = tagOf(hash, options.repo);
  if (await imageExists(engine, tag)) return { tag, built: false };
  const buildargs: Record<string, string> = {
    ...options.proxy,
    ...contentArgs(options.plugins, options.args),
  };
  let lastStep = '';
  const failure = (message: string, cause?: unknown) =>
    new TcupError(
      'BUILD_FAILED',
      `the image build failed${lastStep ? ` at ${lastStep}` : ''}: ${message.trim()}`,
      'check that the build can reach Debian packages (HTTP_PROXY/HTTPS_PROXY are passed in) and that the base image of the Dockerfile can be pulled',
      cause ? { cause } : undefined,
    );
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.buildImage(packContext(files), {
      t: tag,
      rm: true,
      forcerm: true,
      labels: {
        ...options.labels,
        [LABEL_TOOL]: '1',
        [LABEL_HASH]: hash,
        [LABEL_PROTOCOL]: String(PROTOCOL_VERSION),
      },
      buildargs,
      // A proxy on this machine's loopback is reachable from the build only on the host's network.
      ...(usesLoopbackProxy(options.proxy) ? { networkmode: 'host' } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
  } catch (error) {
    throw failure(error instanceof Error ? error.message : String(error), error);
  }
  const events = await new Promise<BuildEvent[]>((resolve, reject) => {
    engine.modem.followProgress(
      stream,
      (err: Error | null, out: BuildEvent[]) => (err ? reject(failure(err.message, err)) : resolve(out)),
      (event: BuildEvent) => {
        if (event.stream) {
          const step = /^Step \d+\/\d+ : .*/.exec(event.stream.trim());
          if (step) lastStep = step[0].slice(0, 120);
          options.onLine(event.stream);
        }
      },
    );
  });
  const bad = events.find((e) => e.error ?? e.errorDetail);
  if (bad) throw failure(bad.errorDetail?.message ?? bad.error ?? 'unknown error');
  return { tag, built: true };
}

/** True when a proxy URL points at 127.0.0.0/8, ::1 or localhost. */
export function usesLoopbackProxy(proxy: Readonly<Record<string, string>>): boolean {
  return Object.entries(proxy).some(([name, value]) => {
    if (/^no_proxy$/i.test(name)) return false;
    try {
      const host = new URL(value).hostname;
      return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
    } catch {
      return false;
    }
  });
}
