/**
 * tcup's patches: a small, reviewed set of fixes for known Tempest bugs that fail a healthy cloud, each
 * a patch file in container/patches/ applied at image build by container/apply-patches.sh (pure: reads
 * the headers of the files the image is built from). A patch names its upstream commit (`none` for
 * tcup's own, where upstream has no fix), its bug and the Tempest versions that have the bug: from
 * `Tempest-From` up to, not including, `Tempest-Fixed` (`none`: no release has the fix yet).
 */
import type { ImageFile } from '../engine/build-context.js';

/** The image label listing the patches an image carries (space-separated names). */
export const LABEL_PATCHES = 'tcup.patches';

export interface TempestPatch {
  /** The file name without `.patch`: `rebuild-server-floating-ip`. */
  name: string;
  subject: string;
  /** The first Tempest with the bug. */
  from: string;
  /** The first upstream Tempest with the fix (not patched); undefined: none has it yet. */
  fixed: string | undefined;
  /** The upstream commit, as its header says it; undefined: tcup's own (upstream has no fix). */
  upstream: string | undefined;
  bug: string;
}

const DIR = 'container/patches/';

/** Numeric, per part: "43.0.0" < "46.1.0", "2.96" < "2.100" (also Nova's microversions: variant.ts). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The header of one patch file; throws naming the file when a field is missing (a broken recipe). */
export function parsePatch(file: ImageFile): TempestPatch {
  const text = file.content.toString('utf8');
  const header = text.slice(0, Math.max(0, text.indexOf('\n--- ')));
  const field = (key: string): string => {
    const value = new RegExp(`^${key}: *(.+)$`, 'm').exec(header)?.[1]?.trim();
    if (!value) throw new Error(`${file.name}: no ${key}: line in its header`);
    return value;
  };
  return {
    name: file.name.slice(DIR.length).replace(/\.patch$/, ''),
    subject: field('Subject'),
    from: field('Tempest-From'),
    fixed: orNone(field('Tempest-Fixed')),
    upstream: orNone(field('Upstream')),
    bug: field('Bug'),
  };
}

const orNone = (value: string): string | undefined => (value === 'none' ? undefined : value);

/** Every patch of the recipe, by name. */
export function recipePatches(files: readonly ImageFile[]): TempestPatch[] {
  return files
    .filter((f) => f.name.startsWith(DIR) && f.name.endsWith('.patch'))
    .map(parsePatch)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The patches an image of this Tempest (its upstream version, "43.0.0") gets: the ones whose bug it has. */
export function patchesFor(tempest: string, patches: readonly TempestPatch[]): TempestPatch[] {
  return patches.filter(
    (p) =>
      compareVersions(tempest, p.from) >= 0 &&
      (p.fixed === undefined || compareVersions(tempest, p.fixed) < 0),
  );
}

/**
 * "rebuild-server-floating-ip (upstream openstack/tempest 7e3c572a7, https://bugs.launchpad.net/…)", or
 * "marker-test-own-projects (tcup's own, https://bugs.launchpad.net/…)".
 */
export const describePatch = (p: TempestPatch): string =>
  `${p.name} (${p.upstream ? `upstream ${p.upstream}` : "tcup's own"}, ${p.bug})`;
