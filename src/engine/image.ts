/** Build (or reuse, by content hash) tcup's Tempest image from an in-memory context. */
import { TcupError } from '../core/errors.js';
import { contextHash, packContext, type ImageFile } from './build-context.js';
import { statusOf, type Engine } from './engine.js';

export const IMAGE_REPO = 'tcup-tempest';
export const LABEL_TOOL = 'tcup';

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
}

export function imageTag(
  files: readonly ImageFile[],
  plugins: readonly string[],
  repo: string = IMAGE_REPO,
): string {
  const args: Record<string, string> =
    plugins.length > 0 ? { TCUP_PLUGINS: [...plugins].sort().join(' ') } : {};
  return `${repo}:${contextHash(files, args).slice(0, 16)}`;
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
  const tag = imageTag(files, options.plugins, options.repo);
  if (await imageExists(engine, tag)) return { tag, built: false };
  const buildargs: Record<string, string> = { ...options.proxy };
  if (options.plugins.length > 0) buildargs.TCUP_PLUGINS = [...options.plugins].sort().join(' ');
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
      labels: { [LABEL_TOOL]: '1' },
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
