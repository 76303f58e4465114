/**
 * `tcup image save FILE` and `tcup image load FILE`: the Tempest image as one file, for a host that
 * reaches the cloud but no package mirror. `save` builds the image of the chosen variant (with the
 * plugins of --target) if it is not there and writes it; `load` refuses what is not a tcup image of a
 * content hash this tcup builds (so a run then finds it by its tag and builds nothing) and loads it.
 */
import { isAbsolute, resolve } from 'node:path';
import { EXIT_OK, TcupError } from '../core/errors.js';
import { createReporter, type Reporter } from '../core/log.js';
import { loadImageFiles } from '../engine/build-context.js';
import { pingEngine, type Engine } from '../engine/engine.js';
import { loadImage, readImageArchive, saveImage, type ArchivedImage } from '../engine/image-archive.js';
import { imageExists, imageHash, LABEL_HASH, tagOf } from '../engine/image.js';
import { PLUGINS, type RunTarget } from '../guidelines/model.js';
import type { Deps } from '../pipeline/options.js';
import { prepareTempestImage, testbedArgsFrom } from '../pipeline/steps/tempest-image.js';
import { proxyEnv } from '../pipeline/steps/proxy.js';
import {
  describeVariant,
  NEWEST,
  tempestImageOptions,
  variantById,
  variantPatches,
  VARIANTS,
  type TempestVariant,
  type VariantId,
} from '../tempest/variant.js';

export interface SaveOptions {
  tempest?: VariantId | undefined;
  target?: string | undefined;
  verbose: boolean;
  cwd: string;
}

function reporterFor(deps: Deps, verbose: boolean): Reporter {
  return createReporter({
    write: (text) => deps.stderr.write(text),
    isTTY: deps.stderr.isTTY === true,
    verbose,
    redact: (text) => deps.redactor.redact(text),
  });
}

/** The engine DOCKER_HOST names, made by the composition root (src/cli.ts), as the pipeline's is. */
async function engineFor(deps: Deps): Promise<Engine> {
  const engine = await deps.engine(deps.env);
  await pingEngine(engine);
  return engine;
}

/** "Tempest 43 (Debian 13), tcup's patches: rebuild-server-floating-ip": what the image is and carries. */
export const describeImageVariant = (variant: TempestVariant): string =>
  `${describeVariant(variant)}, tcup's patches: ${
    variantPatches(variant)
      .map((p) => p.name)
      .join(', ') || 'none'
  }`;

const where = (cwd: string, file: string) => (isAbsolute(file) ? file : resolve(cwd, file));

export async function imageSaveCommand(deps: Deps, file: string, options: SaveOptions): Promise<number> {
  const reporter = reporterFor(deps, options.verbose);
  const variant = options.tempest ? variantById(options.tempest)! : NEWEST;
  const plugins = PLUGINS[(options.target ?? 'platform') as RunTarget] ?? [];
  const engine = await engineFor(deps);
  const image = await prepareTempestImage(
    engine,
    variant,
    {
      plugins,
      // A test bed's build arg, only when the launcher's environment asks for it (never set by tcup).
      testbedArgs: testbedArgsFrom(deps.env, variant),
      proxy: proxyEnv(deps.env),
      signal: deps.signal,
    },
    reporter,
  );
  const path = where(options.cwd, file);
  reporter.step(`writing ${image.tag} to ${path}`);
  const bytes = await saveImage(engine, image.tag, path);
  reporter.step(
    `wrote ${path} (${(bytes / 1e6).toFixed(0)} MB): ${describeImageVariant(variant)}` +
      `${plugins.length ? ` with ${plugins.join(', ')}` : ''}; on the other host: tcup image load ${file}`,
  );
  return EXIT_OK;
}

/**
 * Every image this tcup builds, by its full content hash: each variant with each plugin set (with the
 * test bed's build arg too when the environment asks for it, as `tcup image save` builds then).
 */
export function knownImages(
  env: Readonly<Record<string, string | undefined>> = {},
): Map<string, { variant: TempestVariant; plugins: readonly string[] }> {
  const files = loadImageFiles();
  const known = new Map<string, { variant: TempestVariant; plugins: readonly string[] }>();
  for (const variant of VARIANTS)
    for (const plugins of [[], ...Object.values(PLUGINS)]) {
      const o = tempestImageOptions(variant, plugins);
      known.set(imageHash(files, o.plugins, { ...o.args, ...testbedArgsFrom(env, variant) }), {
        variant,
        plugins,
      });
    }
  return known;
}

/**
 * The one tcup image of an archive this tcup can use, or why not: no tcup labels (not a tcup image),
 * a content hash it does not build (another version of tcup), a tag that does not match the hash.
 */
export function checkArchive(
  file: string,
  images: readonly ArchivedImage[],
  known: ReadonlyMap<string, { variant: TempestVariant; plugins: readonly string[] }>,
): { tag: string; variant: TempestVariant } {
  const ours = images.filter((i) => i.labels.tcup === '1' && i.labels[LABEL_HASH]);
  const hint = 'write it with `tcup image save FILE` of this same tcup version';
  if (ours.length !== 1)
    throw new TcupError(
      'USAGE',
      ours.length === 0
        ? `${file} is not a tcup image (no image in it has the tcup labels)`
        : `${file} holds ${ours.length} tcup images; tcup image save writes one`,
      hint,
    );
  const image = ours[0]!;
  const hash = image.labels[LABEL_HASH]!;
  const what = known.get(hash);
  if (!what)
    throw new TcupError(
      'USAGE',
      `${file} is a tcup image of another content hash (${hash.slice(0, 16)}) than this tcup builds: another tcup version made it`,
      `${hint}; or load it with docker load and pass --tempest-image (its protocol is checked)`,
    );
  const tag = tagOf(hash);
  if (!image.repoTags.includes(tag))
    throw new TcupError('USAGE', `${file} does not name the image ${tag} that its content hash says`, hint);
  // A content hash this tcup builds decides everything else: the Tempest, the plugins, and the container
  // scripts (so the protocol) are hashed into it.
  return { tag, variant: what.variant };
}

export async function imageLoadCommand(
  deps: Deps,
  file: string,
  options: { verbose: boolean; cwd: string },
): Promise<number> {
  const reporter = reporterFor(deps, options.verbose);
  const path = where(options.cwd, file);
  reporter.step(`checking ${path}`);
  const { tag, variant } = checkArchive(path, await readImageArchive(path), knownImages(deps.env));
  const engine = await engineFor(deps);
  if (await imageExists(engine, tag)) {
    reporter.step(`${tag} (${describeImageVariant(variant)}) is already on the engine: nothing to load`);
    return EXIT_OK;
  }
  reporter.step(`loading ${tag} (${describeImageVariant(variant)})`);
  for (const line of await loadImage(engine, path)) reporter.log(line);
  if (!(await imageExists(engine, tag)))
    throw new TcupError('USAGE', `the engine loaded ${path} but has no ${tag} afterwards`);
  reporter.step(`loaded ${tag}: runs of this tcup use it and build nothing`);
  return EXIT_OK;
}
