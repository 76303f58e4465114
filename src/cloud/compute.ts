/**
 * What a compute run needs, found as a non-admin: an image every account sees, the two smallest flavors
 * that fit it, each project's own network and the external network. The choices are pure (table-tested);
 * discovery reads them through the accounts' own REST APIs. Nothing here downloads an image.
 */
import { TcupError } from '../core/errors.js';
import { isRecord, listAll, type ProjectSession } from './rest.js';

export interface ImageInfo {
  id: string;
  name: string;
  status: string;
  diskFormat?: string | undefined;
  containerFormat?: string | undefined;
  visibility?: string | undefined;
  owner?: string | undefined;
  size?: number | undefined;
  minDisk: number;
  minRam: number;
}

export interface FlavorInfo {
  id: string;
  name: string;
  ram: number;
  disk: number;
  vcpus: number;
}

export interface NetworkInfo {
  id: string;
  name: string;
  projectId?: string | undefined;
  external: boolean;
  shared: boolean;
  subnets: number;
}

/** Disk formats Nova boots (kernel and ramdisk images are left out). */
export const BOOTABLE_FORMATS = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'ploop', 'iso'];

const GIB = 1024 ** 3;

/** The image to use: the one asked for (name or id), else the smallest active bootable one. */
export function chooseImage(
  images: readonly ImageInfo[],
  wanted?: string,
): { image: ImageInfo; why: string } {
  const active = images.filter((i) => i.status === 'active');
  if (wanted !== undefined) {
    const byId = images.find((i) => i.id === wanted);
    const byName = images.filter((i) => i.name === wanted);
    const found = byId ?? (byName.length === 1 ? byName[0] : undefined);
    if (!found && byName.length > 1)
      throw new TcupError(
        'USAGE',
        `several images are named ${wanted}: ${byName.map((i) => i.id).join(', ')}`,
        'pass --image with the id of the one to use',
      );
    if (!found)
      throw new TcupError(
        'USAGE',
        `no image named or with id ${wanted} is visible to every test account`,
        'pass --image with a visible image, or --image FILE to upload one for the run',
      );
    if (found.status !== 'active')
      throw new TcupError('USAGE', `image ${wanted} is ${found.status}, not active`, 'pass another --image');
    return { image: found, why: 'given with --image' };
  }
  const usable = active.filter(
    (i) =>
      i.diskFormat !== undefined &&
      BOOTABLE_FORMATS.includes(i.diskFormat) &&
      !['aki', 'ari'].includes(i.containerFormat ?? ''),
  );
  if (usable.length === 0)
    throw new TcupError(
      'USAGE',
      active.length === 0
        ? 'no active image is visible to the test accounts, and tcup never downloads one from the internet'
        : `none of the ${active.length} active images has a disk format Nova boots (${BOOTABLE_FORMATS.join(', ')})`,
      'pass --image FILE (a small bootable disk image: it is uploaded for the run and removed afterwards), or --image NAME|ID',
    );
  const sorted = [...usable].sort(
    (a, b) => (a.size ?? Infinity) - (b.size ?? Infinity) || a.name.localeCompare(b.name),
  );
  const image = sorted[0]!;
  return {
    image,
    why: `the smallest active image with a bootable disk format of the ${usable.length} the accounts see`,
  };
}

/** The alt image (`compute.image_ref_alt`): the next usable image, distinct from the first (pure). */
export function chooseImageAlt(images: readonly ImageInfo[], image: ImageInfo): ImageInfo | undefined {
  const others = images.filter((i) => i.id !== image.id);
  try {
    return chooseImage(others).image;
  } catch {
    return undefined;
  }
}

/** Whether a flavor can boot this image as a non-admin (a zero-disk flavor needs an admin since Nova 24). */
export function flavorFits(flavor: FlavorInfo, image: ImageInfo): boolean {
  if (flavor.disk <= 0) return false;
  if (flavor.disk < image.minDisk) return false;
  if (image.size !== undefined && flavor.disk * GIB < image.size) return false;
  return flavor.ram >= image.minRam;
}

/** The two smallest flavors that fit (by RAM, disk, vCPUs), or those asked for. */
export function chooseFlavors(
  flavors: readonly FlavorInfo[],
  image: ImageInfo,
  wanted: { flavor?: string | undefined; flavorAlt?: string | undefined } = {},
): { flavor: FlavorInfo; flavorAlt: FlavorInfo; notes: string[] } {
  const notes: string[] = [];
  const find = (ref: string, option: string) => {
    const found = flavors.find((f) => f.id === ref) ?? flavors.find((f) => f.name === ref);
    if (!found)
      throw new TcupError(
        'USAGE',
        `no flavor named or with id ${ref} is visible to the account`,
        `pass ${option} with one of: ${flavors.map((f) => f.name).join(', ') || '(none)'}`,
      );
    if (!flavorFits(found, image))
      notes.push(`flavor ${found.name} may not fit image ${image.name} (${describeFlavor(found)})`);
    return found;
  };
  const fitting = flavors
    .filter((f) => flavorFits(f, image))
    .sort((a, b) => a.ram - b.ram || a.disk - b.disk || a.vcpus - b.vcpus || a.name.localeCompare(b.name));
  const given = wanted.flavor !== undefined ? find(wanted.flavor, '--flavor') : undefined;
  const givenAlt = wanted.flavorAlt !== undefined ? find(wanted.flavorAlt, '--flavor-alt') : undefined;
  const flavor = given ?? fitting.find((f) => f.id !== givenAlt?.id) ?? givenAlt;
  if (!flavor)
    throw new TcupError(
      'USAGE',
      `no flavor fits image ${image.name} (${flavors.length} visible; a zero-disk flavor cannot boot an image as a non-admin)`,
      'ask the cloud operators for a small flavor, or pass --flavor and --flavor-alt',
    );
  let flavorAlt = givenAlt ?? fitting.find((f) => f.id !== flavor.id);
  if (!flavorAlt) {
    flavorAlt = flavor;
    notes.push(
      `only one flavor fits image ${image.name}: the resize tests need a second one and fail (--flavor-alt)`,
    );
  }
  return { flavor, flavorAlt, notes };
}

export function describeFlavor(f: FlavorInfo): string {
  return `${f.ram} MB, ${f.disk} GB, ${f.vcpus} vCPU`;
}

export interface NetworkChoice {
  /** compute.fixed_network_name: a network of this name exists in (or is shared with) every project. */
  fixed?: string | undefined;
  external?: NetworkInfo | undefined;
  notes: string[];
}

/** The name prefix of what Tempest makes (its `resource_name_prefix`, "tempest" by default). */
const TEMPEST_LEFTOVER_PREFIX = 'tempest-';

/**
 * The project network every account's servers attach to, and the external network. Each account sees
 * its own project's networks plus shared ones; `perAccount` holds them by account name.
 */
export function chooseNetworks(
  perAccount: ReadonlyMap<string, { projectId: string; networks: readonly NetworkInfo[] }>,
  wanted: { fixed?: string | undefined; external?: string | undefined } = {},
): NetworkChoice {
  const notes: string[] = [];
  const accounts = [...perAccount.entries()];
  // A network Tempest made and left (an interrupted run's: its resource prefix) is no choice: it is
  // reported as what it is, and never picked nor asked about.
  const left = new Set<string>();
  const namesOf = (projectId: string, networks: readonly NetworkInfo[]) => {
    const usable = networks.filter((n) => {
      if (!n.name.startsWith(TEMPEST_LEFTOVER_PREFIX)) return true;
      left.add(n.name);
      return false;
    });
    const own = usable.filter((n) => !n.external && n.projectId === projectId).map((n) => n.name);
    const shared = usable.filter((n) => !n.external && n.shared).map((n) => n.name);
    return new Set(own.length > 0 ? own : shared);
  };
  const candidates = accounts.map(([who, v]) => [who, namesOf(v.projectId, v.networks)] as const);
  if (left.size > 0)
    notes.push(
      `the test projects hold ${left.size} network(s) an earlier Tempest run left (${[...left].sort().join(', ')}): not used; delete them (\`openstack network delete NAME\` as the project's member)`,
    );
  let fixed: string | undefined;
  if (wanted.fixed !== undefined) {
    const lacking = accounts
      .filter(([, v]) => !v.networks.some((n) => n.name === wanted.fixed && !n.external))
      .map(([who]) => who);
    if (lacking.length > 0)
      throw new TcupError(
        'USAGE',
        `the project of ${lacking.join(', ')} has no network named ${wanted.fixed}`,
        'every test account’s project needs a network of that name (or pass another --fixed-network)',
      );
    fixed = wanted.fixed;
  } else if (candidates.every(([, names]) => names.size === 0)) {
    notes.push(
      'the test projects have no network: servers are created without one and the tests that need one fail',
    );
  } else {
    const [first, ...rest] = candidates;
    const common = [...first![1]].filter((n) => rest.every(([, names]) => names.has(n))).sort();
    if (common.length === 1) fixed = common[0];
    else if (common.length > 1)
      throw new TcupError(
        'USAGE',
        `the test projects have several networks: ${common.join(', ')}`,
        'pick the one the tests’ servers attach to with --fixed-network NAME',
      );
    else {
      const lines = candidates.map(([who, names]) => `${who}: ${[...names].join(', ') || '(none)'}`);
      throw new TcupError(
        'USAGE',
        `no network name is common to every test project (${lines.join('; ')})`,
        'create a network of one name in each test project, and pass it with --fixed-network NAME',
      );
    }
  }

  const seen = new Map<string, NetworkInfo>();
  for (const [, v] of accounts) for (const n of v.networks) if (n.external) seen.set(n.id, n);
  const externals = [...seen.values()];
  let external: NetworkInfo | undefined;
  if (wanted.external !== undefined) {
    external =
      externals.find((n) => n.id === wanted.external) ?? externals.find((n) => n.name === wanted.external);
    if (!external)
      throw new TcupError(
        'USAGE',
        `no external network named or with id ${wanted.external} is visible`,
        `pass --external-network with one of: ${externals.map((n) => n.name).join(', ') || '(none)'}`,
      );
  } else {
    const withSubnets = externals.filter((n) => n.subnets > 0);
    if (withSubnets.length === 1) external = withSubnets[0];
    else if (withSubnets.length > 1)
      throw new TcupError(
        'USAGE',
        `several external networks are visible: ${withSubnets.map((n) => `${n.name} (${n.id})`).join(', ')}`,
        'pick the one for floating IPs and router gateways with --external-network NAME|ID',
      );
    else notes.push('no external network is visible: tests that need a floating IP or a router gateway fail');
  }
  return { ...(fixed ? { fixed } : {}), ...(external ? { external } : {}), notes };
}

/** What tcup sets so the image-listing tests run on a Glance that enforces image formats, or why not. */
export interface FormatWorkaround {
  /** A container format the cloud accepts and Glance does not inspect; absent: the skip stays. */
  containerFormat?: string;
  why: string;
}

/** Container formats Glance never inspects (it inspects only `bare` uploads), the issue's `ami` first. */
const UNINSPECTED = ['ami', 'ari', 'aki', 'ovf', 'ova', 'docker', 'compressed'];
/** Tests that upload bad `bare` images to test Nova when enforcement is off: they would fail then. */
const ENFORCEMENT_READERS = /^tempest\.api\.image\.v2\.test_images_formats\./;

/**
 * On a Glance that enforces image formats (`require_image_format_match`, 2025.1), Tempest 43+ skips the
 * image-listing tests (ListUserImagesTest), which upload random bytes; since Tempest 40 `bare` is its
 * first container format, the only one Glance inspects. Where the cloud's image schema
 * (`/v2/schemas/image`) accepts a container format Glance does not inspect, Tempest can use it
 * (`image.container_formats`, with `image_format_enforcement=False`) and those tests run (pure).
 */
export function chooseFormatWorkaround(schema: unknown, tests: readonly string[]): FormatWorkaround {
  const readers = tests.filter((t) => ENFORCEMENT_READERS.test(t));
  if (readers.length > 0)
    return {
      why: `the selection holds ${readers.length} image-format test(s) that need a Glance accepting bad bare images: image_format_enforcement stays True and the image-listing tests are skipped`,
    };
  const props = isRecord(schema) && isRecord(schema.properties) ? schema.properties : undefined;
  const container = props && isRecord(props.container_format) ? props.container_format.enum : undefined;
  const accepted = Array.isArray(container)
    ? container.filter((f): f is string => typeof f === 'string')
    : [];
  const format = UNINSPECTED.find((f) => accepted.includes(f));
  if (!format)
    return {
      why:
        accepted.length > 0
          ? `the cloud's image schema accepts only container formats Glance inspects (${accepted.join(', ')}): the image-listing tests stay skipped`
          : "the cloud's image schema (/v2/schemas/image) names no container formats: the image-listing tests stay skipped",
    };
  return {
    containerFormat: format,
    why: `Glance inspects only bare uploads and the cloud's image schema accepts ${format}: the image-listing tests upload their bogus data as ${format} images and run`,
  };
}

/** Why a skip happened, in words a vendor can act on (undefined: Tempest's own words suffice). */
export function explainSkip(reason: string): string | undefined {
  if (/Metadata is read-only on non-Xen/i.test(reason))
    return 'Tempest 33 runs the server-metadata tests only with compute-feature-enabled.xenapi_apis=True; the API they test is served by every Nova: drop the --tempest-option that turned it off';
  if (/validation tests are disabled|run_validation/i.test(reason))
    return 'these tests log into a guest over SSH: run with --validation on a cloud whose floating IPs this machine reaches';
  if (/KeyError: 'floating_ip'/.test(reason))
    return "this Tempest's test needs a floating IP on the guest even without guest login (KeyError 'floating_ip'): it passes only with --validation, on a cloud whose floating IPs this machine reaches";
  if (/Image format enforcement prevents testing/i.test(reason))
    return "these tests upload images with bogus data, which a Glance that enforces image formats rejects (tcup probed it), and the cloud's image schema offers no container format Glance leaves uninspected: they cannot run on this cloud as configured";
  if (/Need distinct images/i.test(reason))
    return 'these tests need two images: make a second image visible to the accounts, or pass --image FILE (tcup uploads it twice)';
  if (/Insufficient number of users/i.test(reason))
    return 'give more non-admin accounts with --accounts FILE';
  return undefined;
}

// --- discovery through the REST APIs -------------------------------------------------------------

export async function listImages(s: ProjectSession): Promise<ImageInfo[]> {
  // Community images are not in the default listing: ask for them too.
  const [visible, community] = await Promise.all([
    listAll(s, 'image', '/images?limit=100', 'images'),
    listAll(s, 'image', '/images?limit=100&visibility=community', 'images'),
  ]);
  const byId = new Map<string, ImageInfo>();
  for (const i of [...visible, ...community]) {
    const image = toImage(i);
    if (image) byId.set(image.id, image);
  }
  return [...byId.values()];
}

export function toImage(i: Record<string, unknown>): ImageInfo | undefined {
  if (typeof i.id !== 'string') return undefined;
  return {
    id: i.id,
    name: typeof i.name === 'string' ? i.name : '',
    status: typeof i.status === 'string' ? i.status : 'unknown',
    diskFormat: typeof i.disk_format === 'string' ? i.disk_format : undefined,
    containerFormat: typeof i.container_format === 'string' ? i.container_format : undefined,
    visibility: typeof i.visibility === 'string' ? i.visibility : undefined,
    owner: typeof i.owner === 'string' ? i.owner : undefined,
    size: typeof i.size === 'number' ? i.size : undefined,
    minDisk: typeof i.min_disk === 'number' ? i.min_disk : 0,
    minRam: typeof i.min_ram === 'number' ? i.min_ram : 0,
  };
}

export async function listFlavors(s: ProjectSession): Promise<FlavorInfo[]> {
  const items = await listAll(s, 'compute', '/flavors/detail', 'flavors');
  return items.flatMap((f) =>
    typeof f.id === 'string'
      ? [
          {
            id: f.id,
            name: typeof f.name === 'string' ? f.name : f.id,
            ram: num(f.ram),
            disk: num(f.disk),
            vcpus: num(f.vcpus),
          },
        ]
      : [],
  );
}

export async function listNetworks(s: ProjectSession): Promise<NetworkInfo[]> {
  const items = await listAll(s, 'network', '/networks', 'networks');
  return items.flatMap((n) =>
    typeof n.id === 'string'
      ? [
          {
            id: n.id,
            name: typeof n.name === 'string' ? n.name : '',
            projectId:
              typeof n.project_id === 'string'
                ? n.project_id
                : typeof n.tenant_id === 'string'
                  ? n.tenant_id
                  : undefined,
            external: n['router:external'] === true,
            shared: n.shared === true,
            subnets: Array.isArray(n.subnets) ? n.subnets.length : 0,
          },
        ]
      : [],
  );
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);
