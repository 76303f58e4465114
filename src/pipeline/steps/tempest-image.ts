/**
 * Step 4: which Tempest, and its image. The variant is the one asked for (--tempest), or the one that
 * supports the cloud by its version documents (one line says which and why); the image is built from
 * Dockerfile + container/ and reused by content hash, or is one already on the engine (--tempest-image,
 * checked by its labels). The image's patches (tcup's fixes of known Tempest bugs) are named, and a
 * patch that no longer applies fails the build naming it.
 */
import { TcupError } from '../../core/errors.js';
import type { HttpClient } from '../../core/http.js';
import type { Reporter } from '../../core/log.js';
import type { CatalogEntry } from '../../cloud/keystone.js';
import { probeVersions } from '../../cloud/versions.js';
import { loadImageFiles } from '../../engine/build-context.js';
import type { Engine } from '../../engine/engine.js';
import {
  ensureImage,
  LABEL_HASH,
  LABEL_PLUGINS,
  LABEL_PROTOCOL,
  LABEL_TEMPEST,
  LABEL_TOOL,
} from '../../engine/image.js';
import { statusOf } from '../../engine/engine.js';
import { PROTOCOL_VERSION } from '../../protocol/container.js';
import type { TempestImage } from '../options.js';
import { describePatch, LABEL_PATCHES } from '../../tempest/patches.js';
import {
  chooseVariant,
  describeChoice,
  describeVariant,
  parseVersions,
  tempestImageOptions,
  testbedImageArgs,
  variantById,
  variantPatches,
  type TempestVariant,
  type VariantId,
} from '../../tempest/variant.js';

export type { TempestImage };

/** Set in the launcher's environment by a test bed only (the e2e on a dated mirror snapshot). */
export const TESTBED_APT_ENV = 'TCUP_TESTBED_APT_VALID_UNTIL';

export const TESTBED_WARNING = `test bed: apt's Valid-Until check is off for this image build (${TESTBED_APT_ENV}=ignore); never set it outside a test bed`;

/**
 * The test bed's build args for this variant when the launcher's environment asks for them
 * (TCUP_TESTBED_APT_VALID_UNTIL=ignore: its mirror snapshot has expired Release files for Debian
 * testing); undefined otherwise. tcup never sets the variable itself.
 */
export function testbedArgsFrom(
  env: Readonly<Record<string, string | undefined>>,
  variant: TempestVariant | undefined,
): Readonly<Record<string, string>> | undefined {
  return env[TESTBED_APT_ENV] === 'ignore' && variant ? testbedImageArgs(variant) : undefined;
}

/** The patches an image's label tcup.patches names (space-separated; none when it has no label). */
export const patchesOfLabels = (labels: Readonly<Record<string, string>>): string[] =>
  (labels[LABEL_PATCHES] ?? '').split(' ').filter(Boolean);

export interface TempestImageOptions {
  /** --tempest */
  tempest?: VariantId | undefined;
  /** --tempest-image: an image already on the engine. */
  tempestImage?: string | undefined;
  plugins: readonly string[];
  /** Build args of a test bed (TESTBED_APT_ARGS), hashed into the tag; never set for a user. */
  testbedArgs?: Readonly<Record<string, string>> | undefined;
  proxy: Record<string, string>;
  signal?: AbortSignal | undefined;
  /** The clock for the build's duration (default Date.now). */
  now?: (() => number) | undefined;
}

export interface CloudForProbe {
  authUrl: string;
  catalog: readonly CatalogEntry[];
  iface: string;
  region?: string | undefined;
}

/** The variant for this cloud, printed in one line with its reason (a warning when it was asked for and misfits). */
export async function chooseTempest(
  http: HttpClient,
  cloud: CloudForProbe,
  asked: VariantId | undefined,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<TempestVariant> {
  const docs = await probeVersions({ http, ...cloud, signal });
  const choice = chooseVariant(parseVersions(docs), asked);
  reporter.step(describeChoice(choice));
  if (choice.warning) reporter.warn(choice.warning);
  return choice.variant;
}

/** Labels of an image on the engine; undefined when there is none by that name. */
async function labelsOf(engine: Engine, ref: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await engine.getImage(ref).inspect();
    return info.Config?.Labels ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * What a ready image is, from its labels, or why it cannot be used: not tcup's, another protocol, not
 * the Tempest asked for, a plugin missing. Pure, for the tests and `tcup image load`.
 */
export function checkImageLabels(
  ref: string,
  labels: Readonly<Record<string, string>>,
  want: { tempest?: VariantId | undefined; plugins: readonly string[] },
): TempestVariant {
  const hint =
    'build it with this tcup (`tcup image save FILE` on a host with a mirror, then `tcup image load FILE`)';
  if (labels[LABEL_TOOL] !== '1' || !labels[LABEL_HASH])
    throw new TcupError(
      'USAGE',
      `${ref} is not a tcup image (it has no ${LABEL_TOOL}=1 and ${LABEL_HASH} labels)`,
      hint,
    );
  const variant = variantById(labels[LABEL_TEMPEST] ?? '');
  if (!variant)
    throw new TcupError(
      'USAGE',
      `${ref} is not a tcup Tempest image (no ${LABEL_TEMPEST} label this tcup knows)`,
      hint,
    );
  const protocol = labels[LABEL_PROTOCOL];
  if (protocol !== String(PROTOCOL_VERSION))
    throw new TcupError(
      'USAGE',
      `${ref} speaks container protocol ${protocol ?? '(none)'}, this tcup ${PROTOCOL_VERSION}: it was made by another version of tcup`,
      hint,
    );
  if (want.tempest && want.tempest !== variant.id)
    throw new TcupError(
      'USAGE',
      `${ref} holds ${describeVariant(variant)}, not Tempest ${want.tempest} as --tempest asks`,
      'drop --tempest, or give an image of that Tempest',
    );
  const has = new Set((labels[LABEL_PLUGINS] ?? '').split(' ').filter(Boolean));
  const lacking = want.plugins.filter((p) => !has.has(p));
  if (lacking.length > 0)
    throw new TcupError(
      'USAGE',
      `${ref} lacks the Tempest plugins this target needs: ${lacking.join(', ')}`,
      'save the image for this target (`tcup image save FILE --target ...`) and load it',
    );
  return variant;
}

/** The image of the chosen variant: a ready one (--tempest-image), or built / reused by content hash. */
export async function prepareTempestImage(
  engine: Engine,
  variant: TempestVariant | undefined,
  options: TempestImageOptions,
  reporter: Reporter,
): Promise<TempestImage> {
  if (options.tempestImage) {
    const ref = options.tempestImage;
    const labels = await labelsOf(engine, ref);
    if (!labels)
      throw new TcupError(
        'USAGE',
        `--tempest-image ${ref}: no such image on the engine`,
        `pull it first (docker pull ${ref}), or load a saved one with \`tcup image load FILE\``,
      );
    const ready = checkImageLabels(ref, labels, { tempest: options.tempest, plugins: options.plugins });
    reporter.step(`using ${ref} (${describeVariant(ready)}), as --tempest-image asks: nothing is built`);
    const patches = patchesOfLabels(labels);
    reporter.info(patchesLine(patches));
    return { tag: ref, built: false, variant: ready, patches };
  }
  const v = variant!;
  const plugins = options.plugins;
  reporter.step(
    `preparing the ${describeVariant(v)} image${plugins.length ? ` (with ${plugins.join(', ')})` : ''}`,
  );
  // The build's output comes only when there is a build: its first line says what the run waits for.
  const now = options.now ?? Date.now;
  let buildStarted: number | undefined;
  const files = loadImageFiles();
  const patches = variantPatches(v, files);
  reporter.info(patchesLine(patches.map(describePatch)));
  const lines: string[] = [];
  const o = tempestImageOptions(v, plugins, files);
  if (Object.keys(options.testbedArgs ?? {}).length > 0) reporter.warn(TESTBED_WARNING);
  const image = await ensureImage(engine, files, {
    ...o,
    args: { ...o.args, ...options.testbedArgs },
    proxy: options.proxy,
    onLine: (line) => {
      if (buildStarted === undefined) {
        buildStarted = now();
        reporter.info(buildingLine(v, plugins));
      }
      lines.push(line);
      const words = buildStepWords(line, plugins.length > 0);
      if (words) reporter.progress(`  building: ${words}`);
      reporter.log(line.trimEnd());
    },
    ...(options.signal ? { signal: options.signal } : {}),
  })
    .catch((error: unknown) => {
      throw patchFailure(lines, error) ?? error;
    })
    .finally(() => {
      if (buildStarted !== undefined) reporter.endProgress();
    });
  const took = buildStarted === undefined ? '' : ` in ${Math.round((now() - buildStarted) / 1000)} s`;
  reporter.info(image.built ? `built ${image.tag}${took}` : `reusing ${image.tag}`);
  return { ...image, variant: v, patches: patchesOfLabels(o.labels) };
}

/** One line naming the image's patches (or that it has none). */
export function patchesLine(patches: readonly string[]): string {
  return patches.length === 0
    ? "tcup's patches: none for this Tempest"
    : `tcup's patches (fixes of known Tempest bugs, container/patches/): ${patches.join('; ')}`;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * The build failed because a patch no longer applies (container/apply-patches.sh says which): the
 * error names it. undefined for any other failure.
 */
export function patchFailure(chunks: readonly string[], cause: unknown): TcupError | undefined {
  // The build's output comes in chunks that may hold several lines, or part of one; the engine colours a
  // step's stderr (ESC[91m ... ESC[0m).
  const lines = chunks.join('').replace(ANSI, '').split('\n');
  const at = lines.findIndex((l) =>
    /^tcup patch \S+ does not apply|^tcup patch \S+: its header/.test(l.trim()),
  );
  if (at < 0) return undefined;
  const said = lines[at]!.trim().replace(/:$/, '');
  const name = /^tcup patch ([^\s:]+)/.exec(said)![1]!;
  const detail = lines
    .slice(at + 1, at + 4)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return new TcupError(
    'BUILD_FAILED',
    `the image build failed: ${said}${detail ? ` (${detail})` : ''}`,
    `container/patches/${name}.patch no longer fits this Tempest: if Debian's Tempest has the fix, lower its Tempest-Fixed; else rewrite the patch against the installed file`,
    { cause },
  );
}

/** What a first run waits for (measured by `npm run bench` on 2 cores: bench/results.md). */
export function buildingLine(v: TempestVariant, plugins: readonly string[]): string {
  const what = `the ${describeVariant(v)} image${plugins.length ? ' with its plugins' : ''}`;
  return `building ${what}: not on this machine yet, about 1 minute on 2 cores (more on a busy machine or a slow mirror); later runs reuse it`;
}

/** A Docker build line → what that step does, for the steps that take time; undefined for the others. */
export function buildStepWords(line: string, plugins: boolean): string | undefined {
  const step = /^Step (\d+)\/(\d+) : (.*)/.exec(line.trim());
  if (!step) return undefined;
  const [, n, of, what] = step as unknown as [string, string, string, string];
  const words = /apt-get install[^&]*\btempest\b/.test(what)
    ? "installing Debian's Tempest, python-tempestconf and the packages they need"
    : plugins && /TCUP_PLUGINS/.test(what) && /^RUN /.test(what)
      ? 'installing the Tempest plugins'
      : /--list-tests/.test(what)
        ? 'listing the installed tests'
        : /^FROM /.test(what)
          ? 'base image'
          : /^COPY /.test(what)
            ? "adding tcup's run scripts"
            : undefined;
  return words && `step ${n}/${of}, ${words}`;
}
