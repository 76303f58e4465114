/**
 * The compute test bed: a real, small OpenStack cloud in one container (Keystone, Placement, Nova with a
 * fake virt driver, Glance, Neutron with an agentless ML2 driver, Cinder with a file driver; Debian's
 * packages), built from test/support/testbed/compute/ in two images, each tagged by a content hash:
 * `base/` (the slow apt layer) and `control/` (configs, plug-ins, baked schemas; built FROM the base tag).
 *
 * It runs on the host network, on fixed loopback ports 127.0.0.1:16000-16012 (Keystone 16000), so one bed
 * per machine: the container has a fixed name, and a start waits (up to 15 min) for another's to go. It is
 * started once per test run (beds.ts); flavors, quotas and the external network `public` are made by the
 * container; each file's members get, through the REST APIs, a `private` network in their own project.
 * No image is uploaded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import tar from 'tar-stream';
import { api, login, type Session } from './rest.js';
import {
  adminSession,
  imageExists,
  LABEL_SESSION,
  removeContainer,
  startBedContainer,
  type BedInfo,
  type TestbedUser,
  UNSTABLE_ARGS,
} from './testbed.js';

const RECIPE = fileURLToPath(new URL('./testbed/compute/', import.meta.url));
const BASE_REPO = 'tcup-testbed-compute-base';
const CONTROL_REPO = 'tcup-testbed-compute';
const RELEASE_LABEL = 'tcup.testbed.release';
/** Marks the compute bed among the test containers (its ports are fixed: one at a time). */
const KIND_LABEL = 'tcup.testbed.kind';
const KEYSTONE_PORT = 16_000;
const CONTAINER_NAME = 'tcup-testbed-compute';
/** How long a start waits for another process's compute bed to go. */
const OTHER_BED_MS = 900_000;
/** A 2-core machine running the other engine lane beside it took over 300 s once. */
const HEALTHY_MS = 600_000;
const DOMAIN = { id: 'default' };

/** Resource type → the ids (keypairs: `<user id>/<name>`) the given projects own, sorted. */
export type ProjectResources = Record<(typeof RESOURCE_TYPES)[number], string[]>;

export const RESOURCE_TYPES = [
  'servers',
  'volumes',
  'snapshots',
  'images',
  'networks',
  'subnets',
  'routers',
  'ports',
  'security_groups',
  'keypairs',
  'floating_ips',
] as const;

let engine: Docker | undefined;
function docker(): Docker {
  engine ??= new Docker();
  return engine;
}

// ---------------------------------------------------------------------------------------------- images

interface RecipeFile {
  /** Path inside the folder, `/` separated. */
  name: string;
  content: Buffer;
}

/** Every file under a folder, recursively, sorted by path. */
function readRecipeTree(root: string): RecipeFile[] {
  const files: RecipeFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith('.pyc'))
        files.push({ name: relative(root, path).split(sep).join('/'), content: readFileSync(path) });
    }
  };
  walk(root);
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Scripts are 0755, everything else 0644, whatever the checkout says. */
const modeOf = (name: string): number => (/\.(py|sh)$/.test(name) ? 0o755 : 0o644);

function recipeHash(files: readonly RecipeFile[], buildArgs: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(`${f.name}\0${modeOf(f.name)}\0${f.content.length}\0`);
    hash.update(f.content);
  }
  for (const key of Object.keys(buildArgs).sort()) hash.update(`arg\0${key}\0${buildArgs[key]}\0`);
  return hash.digest('hex').slice(0, 16);
}

function pack(files: readonly RecipeFile[]): NodeJS.ReadableStream {
  const stream = tar.pack();
  for (const f of files) stream.entry({ name: f.name, mode: modeOf(f.name), mtime: new Date(0) }, f.content);
  stream.finalize();
  return stream as unknown as NodeJS.ReadableStream;
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Builds `repo:<hash of folder and args>` unless it exists; rejects with the build's message and tail. */
async function buildTree(dir: string, repo: string, buildArgs: Record<string, string> = {}): Promise<string> {
  const files = readRecipeTree(dir);
  const tag = `${repo}:${recipeHash(files, buildArgs)}`;
  if (await imageExists(tag)) return tag;
  // Legacy builder, never `pull`: the base images exist only locally.
  const stream = await docker().buildImage(pack(files), {
    t: tag,
    rm: true,
    forcerm: true,
    buildargs: buildArgs,
  });
  const tail: string[] = [];
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker().modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (event: BuildEvent) => {
        if (event.stream) tail.push(...event.stream.split('\n').filter(Boolean));
        tail.splice(0, Math.max(0, tail.length - 40));
        if (event.error || event.errorDetail) failure ??= event.errorDetail?.message ?? event.error;
      },
    );
  });
  if (failure !== undefined)
    throw new Error(`building ${tag} failed: ${failure}\n--- last build output:\n${tail.join('\n')}`);
  if (!(await imageExists(tag))) throw new Error(`building ${tag} ended without an image`);
  return tag;
}

/**
 * The release the bed is built for: Debian unstable's OpenStack 2026.2, the newest a bundled Tempest
 * supports (the recipe's default, 2025.1 from Debian 13, builds with no args).
 */
export const COMPUTE_RELEASE = '2026.2';
const COMPUTE_ARGS: Readonly<Record<string, string>> = { ...UNSTABLE_ARGS, RELEASE: COMPUTE_RELEASE };

let building: Promise<string> | undefined;

/** The bed's image (base, then control FROM it), built unless its content-hash tags exist; returns its tag. */
export function buildComputeImage(): Promise<string> {
  building ??= (async () => {
    const base = await buildTree(join(RECIPE, 'base'), BASE_REPO, { ...COMPUTE_ARGS });
    return buildTree(join(RECIPE, 'control'), CONTROL_REPO, { BASE: base });
  })();
  building.catch(() => (building = undefined));
  return building;
}

// ---------------------------------------------------------------------------------------------- container

/** The last lines of every service log inside the container (best effort), for error messages. */
async function serviceLogTails(id: string): Promise<string> {
  try {
    const exec = await docker()
      .getContainer(id)
      .exec({
        Cmd: ['sh', '-c', 'for f in /var/log/testbed/*.log; do echo "--- $f"; tail -n 12 "$f"; done'],
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
      });
    const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', resolve);
      stream.on('error', reject);
      setTimeout(resolve, 10_000).unref();
    });
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    return `(no service logs: ${String(error)})`;
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * Waits, up to OTHER_BED_MS, while another compute bed (any run's) runs or the Keystone port answers:
 * the ports are fixed, so one bed per machine. An exited bed only holds the name: removed.
 */
async function waitForOtherBeds(): Promise<void> {
  const deadline = Date.now() + OTHER_BED_MS;
  for (;;) {
    const others = await docker().listContainers({
      all: true,
      filters: { label: [`${KIND_LABEL}=compute`] },
    });
    for (const other of others)
      if (other.State === 'exited' || other.State === 'dead') await removeContainer(other.Id);
    const busy = others.filter((o) => o.State !== 'exited' && o.State !== 'dead');
    if (busy.length === 0 && !(await portAnswers(KEYSTONE_PORT))) return;
    if (Date.now() > deadline) {
      const holders = busy.map((o) => `${o.Id.slice(0, 12)} (${o.Labels[LABEL_SESSION] ?? 'no session'})`);
      throw new Error(
        `the compute test bed's ports 127.0.0.1:16000-16012 are fixed (one bed per machine) and stayed ` +
          `busy for ${OTHER_BED_MS / 1000} s: ${holders.length > 0 ? `bed ${holders.join(', ')}` : 'port 16000 answers'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** The compute bed, started (testcontainers, healthy by its HEALTHCHECK) under its fixed name: one per run (beds.ts). */
export async function startComputeBed(labels: Record<string, string>): Promise<BedInfo> {
  const adminPassword = `admin-${randomUUID().slice(0, 8)}`;
  const image = await buildComputeImage();
  const release = (await docker().getImage(image).inspect()).Config.Labels?.[RELEASE_LABEL] ?? 'unknown';
  await waitForOtherBeds();
  const containerId = await startBedContainer({
    what: `the compute test bed (${release})`,
    image,
    env: { ADMIN_PASSWORD: adminPassword },
    labels: { ...labels, [KIND_LABEL]: 'compute' },
    name: CONTAINER_NAME,
    healthyWithinMs: HEALTHY_MS,
    moreLogs: async (id) => `\n--- service logs:\n${(await serviceLogTails(id)).slice(-12_000)}`,
  });
  return { key: 'compute', release, url: `http://127.0.0.1:${KEYSTONE_PORT}/v3`, adminPassword, containerId };
}

/**
 * As the operator gives each member: a `private` network with a subnet in its project, and the project's
 * default security group, made by its first Neutron call now, so it is part of the bed (and of every
 * inventory), not of the first test.
 */
export async function prepareComputeMembers(bed: BedInfo, members: readonly TestbedUser[]): Promise<void> {
  const admin = await adminSession(bed);
  for (const member of members) {
    const session = await login(bed.url, member);
    const { network } = await api<{ network: { id: string } }>(admin, 'network', 'POST', '/v2.0/networks', {
      network: { name: 'private', project_id: session.projectId },
    });
    await api(admin, 'network', 'POST', '/v2.0/subnets', {
      subnet: {
        name: 'private-subnet',
        network_id: network.id,
        ip_version: 4,
        cidr: '10.1.0.0/24',
        project_id: session.projectId,
      },
    });
    await api(session, 'network', 'GET', '/v2.0/security-groups');
  }
}

// ---------------------------------------------------------------------------------------------- REST

export { api, login, type Session };

const ids = (items: { id: string }[]): string[] => items.map((i) => i.id);

export async function inventory(admin: Session, projectNames: readonly string[]): Promise<ProjectResources> {
  const found = Object.fromEntries(RESOURCE_TYPES.map((t) => [t, [] as string[]])) as ProjectResources;
  const nova = { 'openstack-api-version': 'compute 2.10', 'x-openstack-nova-api-version': '2.10' };
  for (const name of projectNames) {
    const { projects } = await api<{ projects: { id: string }[] }>(
      admin,
      'identity',
      'GET',
      `/projects?domain_id=${DOMAIN.id}&name=${encodeURIComponent(name)}`,
    );
    const id = projects[0]?.id;
    if (!id) throw new Error(`no project ${name}`);
    const q = `project_id=${encodeURIComponent(id)}`;
    const get = <T>(service: string, path: string, headers?: Record<string, string>): Promise<T> =>
      api<T>(admin, service, 'GET', path, undefined, headers);
    const [
      servers,
      volumes,
      snapshots,
      images,
      hidden,
      networks,
      subnets,
      routers,
      ports,
      groups,
      fips,
      assignments,
    ] = await Promise.all([
      get<{ servers: { id: string }[] }>('compute', `/servers?all_tenants=1&${q}`, nova),
      get<{ volumes: { id: string }[] }>('block-storage', `/volumes?all_tenants=1&${q}`),
      get<{ snapshots: { id: string }[] }>('block-storage', `/snapshots?all_tenants=1&${q}`),
      get<{ images: { id: string }[] }>(
        'image',
        `/v2/images?owner=${encodeURIComponent(id)}&visibility=all&limit=1000`,
      ),
      get<{ images: { id: string }[] }>(
        'image',
        `/v2/images?owner=${encodeURIComponent(id)}&visibility=all&os_hidden=true`,
      ),
      get<{ networks: { id: string }[] }>('network', `/v2.0/networks?${q}`),
      get<{ subnets: { id: string }[] }>('network', `/v2.0/subnets?${q}`),
      get<{ routers: { id: string }[] }>('network', `/v2.0/routers?${q}`),
      get<{ ports: { id: string }[] }>('network', `/v2.0/ports?${q}`),
      get<{ security_groups: { id: string }[] }>('network', `/v2.0/security-groups?${q}`),
      get<{ floatingips: { id: string }[] }>('network', `/v2.0/floatingips?${q}`),
      get<{ role_assignments: { user?: { id: string } }[] }>(
        'identity',
        `/role_assignments?scope.project.id=${encodeURIComponent(id)}`,
      ),
    ]);
    found.servers.push(...ids(servers.servers));
    found.volumes.push(...ids(volumes.volumes));
    found.snapshots.push(...ids(snapshots.snapshots));
    found.images.push(...ids(images.images), ...ids(hidden.images));
    found.networks.push(...ids(networks.networks));
    found.subnets.push(...ids(subnets.subnets));
    found.routers.push(...ids(routers.routers));
    found.ports.push(...ids(ports.ports));
    found.security_groups.push(...ids(groups.security_groups));
    found.floating_ips.push(...ids(fips.floatingips));
    // Keypairs belong to users, not projects: those of every user with a role in the project.
    const users = [...new Set(assignments.role_assignments.flatMap((a) => (a.user ? [a.user.id] : [])))];
    for (const user of users) {
      const { keypairs } = await get<{ keypairs: { keypair: { name: string } }[] }>(
        'compute',
        `/os-keypairs?user_id=${encodeURIComponent(user)}`,
        nova,
      );
      found.keypairs.push(...keypairs.map((k) => `${user}/${k.keypair.name}`));
    }
  }
  for (const type of RESOURCE_TYPES) found[type].sort();
  return found;
}
