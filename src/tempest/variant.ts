/**
 * The three Tempests tcup's image comes in, and which one supports a cloud, from what the cloud tells a
 * non-admin before anything slow (pure: the documents are fetched by src/cloud/versions.ts). Tempest is
 * branchless: of the Tempests that support a cloud's release, the newest is the one to use.
 *
 * Support, from Tempest's own release notes (releasenotes/notes of openstack/tempest at each tag):
 * - 33.0.0 (Dec 2022; "end of support for EM Wallaby"): Zed, Yoga, Xena.
 * - 43.0.0 (Mar 2025; "tag Tempest for OpenStack 2025.1", 2023.1 dropped in Oct 2024): 2025.1, 2024.2,
 *   2024.1, 2023.2.
 * - 47.0.0 (Sep 2026, Debian's 1:47.0.0; the tag for OpenStack 2026.2): 2026.2, 2026.1, 2025.2, 2025.1.
 *   46.3.0's note ("end of support for 2024.2") lists 2026.1, 2025.2, 2025.1; 47.0.0 adds 2026.2 as each
 *   release tag does (its own prelude was not in the sources at hand: check it when it is).
 *
 * Signals, most telling first (recorded from real clouds in test/fixtures/versions/):
 * - compute: Nova's version document names its newest microversion; Nova's API history marks the
 *   maximum of each release (2.93 Zed, 2.95 2023.1 and 2023.2, 2.96 2024.1 and 2024.2, 2.100 2025.1
 *   and 2025.2, 2.103 2026.1, 2.104 2026.2: Debian's nova-doc 34.0.0, "Maximum in ...").
 * - object-store: Swift's /info names Swift's version; each release has its own minor (2.30 Zed ... 2.35
 *   2025.1, 2.36 2025.2, 2.37 2026.1, 2.38 2026.2; Swift's CHANGELOG in Debian's swift 2.38.2, whose
 *   stable-2026.2 fixes date 2.38 to 2026.2).
 * - identity: Keystone's v3 version document says "v3.14", updated 2020-04-07, from Ussuri to 2025.1
 *   (Zed and 2025.1 answer the same): it tells only "Train or older" apart.
 */
import { loadImageFiles, type ImageFile } from '../engine/build-context.js';
import { LABEL_PLUGINS, LABEL_TEMPEST } from '../engine/image.js';
import { compareVersions, LABEL_PATCHES, patchesFor, recipePatches, type TempestPatch } from './patches.js';

/** OpenStack releases, oldest first. */
export const RELEASES = [
  'Train',
  'Ussuri',
  'Victoria',
  'Wallaby',
  'Xena',
  'Yoga',
  'Zed',
  '2023.1',
  '2023.2',
  '2024.1',
  '2024.2',
  '2025.1',
  '2025.2',
  '2026.1',
  '2026.2',
] as const;
export type Release = (typeof RELEASES)[number];

export const VARIANT_IDS = ['47', '43', '33'] as const;
export type VariantId = (typeof VARIANT_IDS)[number];

export interface TempestVariant {
  id: VariantId;
  /** Debian's package version of Tempest. */
  tempest: string;
  tempestconf: string;
  /** The Debian release the image is built from (the Dockerfile's DEBIAN build arg). */
  debian: 'forky' | 'trixie' | 'bookworm';
  debianName: string;
  /** The OpenStack releases this Tempest supports, per its release notes. */
  supports: readonly Release[];
}

/** Newest first: an unknown cloud gets the first. */
export const VARIANTS: readonly TempestVariant[] = [
  {
    id: '47',
    tempest: '47.0.0',
    tempestconf: '3.5.3',
    debian: 'forky',
    debianName: 'Debian testing',
    supports: ['2025.1', '2025.2', '2026.1', '2026.2'],
  },
  {
    id: '43',
    tempest: '43.0.0',
    tempestconf: '3.5.1',
    debian: 'trixie',
    debianName: 'Debian 13',
    supports: ['2023.2', '2024.1', '2024.2', '2025.1'],
  },
  {
    id: '33',
    tempest: '33.0.0',
    tempestconf: '2.5.0',
    debian: 'bookworm',
    debianName: 'Debian 12',
    supports: ['Xena', 'Yoga', 'Zed'],
  },
];

export const NEWEST: TempestVariant = VARIANTS[0]!;

export function variantById(id: string): TempestVariant | undefined {
  return VARIANTS.find((v) => v.id === id);
}

export const describeVariant = (v: TempestVariant): string => `Tempest ${v.id} (${v.debianName})`;

/** "Xena-Zed" */
export const supportRange = (v: TempestVariant): string =>
  v.supports.length > 1 ? `${v.supports[0]}-${v.supports.at(-1)}` : (v.supports[0] ?? '');

// ------------------------------------------------------------------------------------------ documents

/** What the version documents say, parsed; every field may be missing (no such service, no answer). */
export interface CloudVersions {
  /** Nova's newest microversion, "2.100". */
  computeMaxVersion?: string;
  /** Swift's version from /info, "2.35.1". */
  swiftVersion?: string;
  /** Keystone's v3 version document: "v3.14" and its "updated". */
  identity?: { id: string; updated?: string };
}

/** The raw answers, as src/cloud/versions.ts fetched them (JSON bodies; undefined: none). */
export interface VersionDocuments {
  compute?: unknown;
  objectStore?: unknown;
  identity?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Nova's newest microversion from its root document (`{"versions": [...]}`, the v2.1 entry) or from
 * `GET /v2.1` (`{"version": {...}}`); undefined when neither says one.
 */
export function computeMaxVersion(doc: unknown): string | undefined {
  if (!isRecord(doc)) return undefined;
  const entries = Array.isArray(doc.versions) ? doc.versions : isRecord(doc.version) ? [doc.version] : [];
  const versions = entries
    .filter(isRecord)
    .map((e) => e.version)
    .filter((v): v is string => typeof v === 'string' && /^\d+\.\d+$/.test(v));
  return versions.sort(compareVersions).at(-1);
}

/** Swift's version from its /info document (`{"swift": {"version": "2.35.1"}}`). */
export function swiftVersion(doc: unknown): string | undefined {
  const v = isRecord(doc) && isRecord(doc.swift) ? doc.swift.version : undefined;
  return typeof v === 'string' && /^\d+\.\d+/.test(v) ? v : undefined;
}

/** Keystone's v3 document (`{"version": {"id": "v3.14", "updated": ...}}`). */
export function identityVersion(doc: unknown): { id: string; updated?: string } | undefined {
  const v = isRecord(doc) && isRecord(doc.version) ? doc.version : undefined;
  if (!v || typeof v.id !== 'string' || !/^v3(\.\d+)?$/.test(v.id)) return undefined;
  return { id: v.id, ...(typeof v.updated === 'string' ? { updated: v.updated } : {}) };
}

export function parseVersions(docs: VersionDocuments): CloudVersions {
  const compute = computeMaxVersion(docs.compute);
  const swift = swiftVersion(docs.objectStore);
  const identity = identityVersion(docs.identity);
  return {
    ...(compute ? { computeMaxVersion: compute } : {}),
    ...(swift ? { swiftVersion: swift } : {}),
    ...(identity ? { identity } : {}),
  };
}

// ------------------------------------------------------------------------------------------ releases

/** Nova's maximum microversion of each release (rest_api_version_history.rst, "Maximum in ..."). */
export const COMPUTE_MAXIMA: readonly (readonly [string, readonly Release[]])[] = [
  ['2.79', ['Train']],
  ['2.87', ['Ussuri', 'Victoria']],
  ['2.88', ['Wallaby']],
  ['2.90', ['Xena', 'Yoga']],
  ['2.93', ['Zed']],
  ['2.95', ['2023.1', '2023.2']],
  ['2.96', ['2024.1', '2024.2']],
  ['2.100', ['2025.1', '2025.2']],
  ['2.103', ['2026.1']],
  ['2.104', ['2026.2']],
];

/** Swift's minor version of each release (openstack/releases deliverables/<series>/swift.yaml). */
export const SWIFT_MINORS: readonly (readonly [number, Release])[] = [
  [23, 'Train'],
  [25, 'Ussuri'],
  [26, 'Victoria'],
  [27, 'Wallaby'],
  [28, 'Xena'],
  [29, 'Yoga'],
  [30, 'Zed'],
  [31, '2023.1'],
  [32, '2023.2'],
  [33, '2024.1'],
  [34, '2024.2'],
  [35, '2025.1'],
  [36, '2025.2'],
  [37, '2026.1'],
  [38, '2026.2'],
];

/** What a signal says of the cloud's release: one or two releases, or older / newer than we know. */
export type ReleaseGuess =
  | { kind: 'releases'; releases: readonly Release[]; evidence: string }
  | { kind: 'older' | 'newer'; than: Release; evidence: string }
  | { kind: 'unknown'; evidence: string };

/** A microversion between two maxima belongs to the later release's cycle. */
export function releaseOfCompute(max: string): ReleaseGuess {
  const evidence = `the compute API's newest microversion is ${max}`;
  const first = COMPUTE_MAXIMA[0]!;
  if (compareVersions(max, first[0]) < 0) return { kind: 'older', than: first[1][0]!, evidence };
  const hit = COMPUTE_MAXIMA.find(([v]) => compareVersions(max, v) <= 0);
  if (!hit) return { kind: 'newer', than: COMPUTE_MAXIMA.at(-1)![1].at(-1)!, evidence };
  return { kind: 'releases', releases: hit[1], evidence: `${evidence} (${hit[1].join(' or ')})` };
}

export function releaseOfSwift(version: string): ReleaseGuess {
  const evidence = `Swift is ${version}`;
  const [major, minor] = version.split('.').map(Number);
  if (major !== 2 || minor === undefined || Number.isNaN(minor)) return { kind: 'unknown', evidence };
  const first = SWIFT_MINORS[0]!;
  const last = SWIFT_MINORS.at(-1)!;
  if (minor < first[0]) return { kind: 'older', than: first[1], evidence };
  if (minor > last[0]) return { kind: 'newer', than: last[1], evidence };
  // Minors between two listed releases (24: a Train/Ussuri intermediate) count as the later one.
  const hit = SWIFT_MINORS.find(([m]) => minor <= m)!;
  return { kind: 'releases', releases: [hit[1]], evidence: `${evidence} (${hit[1]})` };
}

/** Keystone's v3 document: v3.14 from Ussuri on (no release told apart), older ids Train or before. */
export function releaseOfIdentity(identity: { id: string; updated?: string }): ReleaseGuess {
  const minor = Number(identity.id.split('.')[1] ?? 0);
  if (minor < 14)
    return { kind: 'older', than: 'Ussuri', evidence: `Keystone's API is ${identity.id} (Train or older)` };
  return {
    kind: 'unknown',
    evidence: `Keystone's version document (${identity.id}${identity.updated ? `, ${identity.updated.slice(0, 10)}` : ''}) is the same from Ussuri to 2025.1`,
  };
}

/** The first telling signal: compute, then object storage, then identity. */
export function guessRelease(versions: CloudVersions): ReleaseGuess {
  const guesses: ReleaseGuess[] = [];
  if (versions.computeMaxVersion) guesses.push(releaseOfCompute(versions.computeMaxVersion));
  if (versions.swiftVersion) guesses.push(releaseOfSwift(versions.swiftVersion));
  if (versions.identity) guesses.push(releaseOfIdentity(versions.identity));
  const telling = guesses.find((g) => g.kind !== 'unknown');
  if (telling) return telling;
  const said = guesses.map((g) => g.evidence);
  return {
    kind: 'unknown',
    evidence: said.length
      ? `${said.join('; ')}; no compute or object-store version document told the release`
      : 'no version document answered',
  };
}

// ------------------------------------------------------------------------------------------ choice

export interface VariantChoice {
  variant: TempestVariant;
  /** Why, in words: the evidence and the rule. */
  reason: string;
  /** What the cloud looks like, when a signal told. */
  guess: ReleaseGuess;
  /** Set when the chosen (asked for) Tempest does not support what the cloud looks like. */
  warning?: string;
}

const releaseIndex = (r: Release): number => RELEASES.indexOf(r);

/** How many releases `at` lies outside what `v` supports (0: supported). */
function distance(v: TempestVariant, at: number): number {
  const indexes = v.supports.map(releaseIndex);
  const lo = Math.min(...indexes);
  const hi = Math.max(...indexes);
  return at < lo ? lo - at : at > hi ? at - hi : 0;
}

/**
 * The variant for a guess: one that supports the release; else the nearest by support range (a tie goes
 * to the newer Tempest); the newest when the cloud does not tell.
 */
function variantFor(guess: ReleaseGuess): { variant: TempestVariant; rule: string } {
  if (guess.kind === 'unknown')
    return { variant: NEWEST, rule: 'the newest, as for any cloud that does not tell its release' };
  const at =
    guess.kind === 'releases'
      ? guess.releases.map(releaseIndex)
      : [releaseIndex(guess.than) + (guess.kind === 'older' ? -1 : 1)];
  const scored = VARIANTS.map((v) => ({ v, d: Math.min(...at.map((i) => distance(v, i))) }));
  // VARIANTS is newest first and a tie keeps the earlier: of the Tempests that support the cloud, the newest
  // (Tempest 47 runs the compute tests with a project reader beside each pre-provisioned account; tcup
  // lists each member again as that reader, src/tempest/readers.ts).
  const best = scored.reduce((a, b) => (b.d < a.d ? b : a));
  const what = guess.kind === 'releases' ? guess.releases.join(' or ') : `${guess.kind} than ${guess.than}`;
  return {
    variant: best.v,
    rule:
      best.d === 0
        ? `it supports ${supportRange(best.v)}`
        : `no bundled Tempest supports ${what}; the nearest supports ${supportRange(best.v)}`,
  };
}

/** The variant to use: the one asked for (`--tempest`), else the one that supports the cloud. */
export function chooseVariant(versions: CloudVersions, asked?: VariantId): VariantChoice {
  const guess = guessRelease(versions);
  const auto = variantFor(guess);
  if (asked) {
    const variant = variantById(asked)!;
    const supported = guess.kind === 'releases' && guess.releases.some((r) => variant.supports.includes(r));
    const warning =
      guess.kind === 'releases' && !supported
        ? `${describeVariant(variant)} does not support ${guess.releases.join(' or ')} (${guess.evidence}); ${describeVariant(auto.variant)} would`
        : undefined;
    return {
      variant,
      reason: `as asked (--tempest ${asked}); ${guess.evidence}`,
      guess,
      ...(warning ? { warning } : {}),
    };
  }
  return { variant: auto.variant, reason: `${guess.evidence}: ${auto.rule}`, guess };
}

/** The one line the run prints. */
export function describeChoice(choice: VariantChoice): string {
  const v = choice.variant;
  return `${describeVariant(v)}, Tempest ${v.tempest} and python-tempestconf ${v.tempestconf}: ${choice.reason}`;
}

// ------------------------------------------------------------------------------------------ image

/** The Dockerfile's default Debian (`ARG DEBIAN=forky`, the newest's): its image needs no DEBIAN arg. */
export const DOCKERFILE_DEBIAN = 'forky';

/**
 * The build arg a test bed on a dated mirror snapshot sets (never tcup for a user): apt then accepts
 * Release files past their Valid-Until. Hashed into the tag like every arg, recorded in the image's
 * label `tcup.testbed.apt-valid-until` by the Dockerfile.
 */
export const TESTBED_APT_ARGS: Readonly<Record<string, string>> = { TCUP_TESTBED_APT_VALID_UNTIL: 'ignore' };

/**
 * What a test bed on this machine's dated mirror snapshot passes when it builds a variant: Debian
 * testing's Release files expire within a week, stable's do not. Tests only.
 */
export const testbedImageArgs = (variant: TempestVariant): Readonly<Record<string, string>> =>
  variant.debian === 'forky' ? TESTBED_APT_ARGS : {};

/** A variant's content build args: its Debian, unless it is the Dockerfile's default. */
export const variantArgs = (variant: TempestVariant): Record<string, string> =>
  variant.debian === DOCKERFILE_DEBIAN ? {} : { DEBIAN: variant.debian };

/** tcup's patches an image of this variant carries (container/patches/: the bugs its Tempest has). */
export const variantPatches = (
  variant: TempestVariant,
  files: readonly ImageFile[] = loadImageFiles(),
): TempestPatch[] => patchesFor(variant.tempest, recipePatches(files));

/**
 * How to build a variant's image: its Debian (a hashed build arg) and the labels that say what it is
 * (the Tempest, the plugins, the patches). The newest's Debian is the Dockerfile's default: no arg, so
 * its tag is the plain content hash of the recipe.
 */
export function tempestImageOptions(
  variant: TempestVariant,
  plugins: readonly string[],
  files: readonly ImageFile[] = loadImageFiles(),
): { plugins: readonly string[]; args: Record<string, string>; labels: Record<string, string> } {
  return {
    plugins,
    args: variantArgs(variant),
    labels: {
      [LABEL_TEMPEST]: variant.id,
      [LABEL_PLUGINS]: [...plugins].sort().join(' '),
      [LABEL_PATCHES]: variantPatches(variant, files)
        .map((p) => p.name)
        .join(' '),
    },
  };
}

/**
 * One line per variant, newest first, with the patches its image carries: for `tcup --version` and
 * `tcup image`, so a reviewer sees exactly what runs.
 */
export function describeVariants(files: readonly ImageFile[] = loadImageFiles()): string[] {
  return VARIANTS.map((v) => {
    const patches = variantPatches(v, files).map((p) => p.name);
    return `${describeVariant(v)}: Tempest ${v.tempest}, python-tempestconf ${v.tempestconf}, OpenStack ${supportRange(v)}; tcup's patches: ${patches.join(', ') || 'none'}`;
  });
}

/** The build args of every variant: `tcup cleanup --images` keeps their images, `image load` knows them. */
export const VARIANT_IMAGE_ARGS: readonly Record<string, string>[] = VARIANTS.map(variantArgs);
