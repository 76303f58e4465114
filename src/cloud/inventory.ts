/**
 * What the test projects hold, as each account sees its own project, before and after a run: what the
 * run left behind is the difference, by type and id. Deleting touches only that difference, never what
 * was there before.
 */
import { isRecord, listAll, type ProjectSession, type ServiceKind } from './rest.js';

export const RESOURCE_TYPES = [
  'servers',
  'volumes',
  'snapshots',
  'images',
  'floating IPs',
  'routers',
  'ports',
  'subnets',
  'networks',
  'security groups',
  'keypairs',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** Type → ids, for one project. */
export type Inventory = Partial<Record<ResourceType, string[]>>;

interface Lister {
  kind: ServiceKind;
  path: (projectId: string) => string;
  key: string;
  id?: (item: Record<string, unknown>) => string | undefined;
}

const q = encodeURIComponent;
const LISTERS: Record<ResourceType, Lister> = {
  servers: { kind: 'compute', path: () => '/servers', key: 'servers' },
  volumes: { kind: 'volume', path: () => '/volumes', key: 'volumes' },
  snapshots: { kind: 'volume', path: () => '/snapshots', key: 'snapshots' },
  images: { kind: 'image', path: (p) => `/images?owner=${q(p)}&limit=100`, key: 'images' },
  'floating IPs': { kind: 'network', path: (p) => `/floatingips?project_id=${q(p)}`, key: 'floatingips' },
  routers: { kind: 'network', path: (p) => `/routers?project_id=${q(p)}`, key: 'routers' },
  ports: { kind: 'network', path: (p) => `/ports?project_id=${q(p)}`, key: 'ports' },
  subnets: { kind: 'network', path: (p) => `/subnets?project_id=${q(p)}`, key: 'subnets' },
  networks: { kind: 'network', path: (p) => `/networks?project_id=${q(p)}`, key: 'networks' },
  'security groups': {
    kind: 'network',
    path: (p) => `/security-groups?project_id=${q(p)}`,
    key: 'security_groups',
  },
  keypairs: {
    kind: 'compute',
    path: () => '/os-keypairs',
    key: 'keypairs',
    id: (k) => {
      const inner = isRecord(k.keypair) ? k.keypair : k;
      return typeof inner.name === 'string' ? inner.name : undefined;
    },
  },
};

/** One project's resources, through the APIs its catalog lists (a missing service: nothing of it). */
export async function takeInventory(s: ProjectSession): Promise<Inventory> {
  const entries = await Promise.all(
    RESOURCE_TYPES.map(async (type): Promise<[ResourceType, string[]] | undefined> => {
      const l = LISTERS[type];
      if (!s.has(l.kind)) return undefined;
      const ids = (await listAll(s, l.kind, l.path(s.projectId), l.key)).flatMap((item) => {
        const id = l.id ? l.id(item) : typeof item.id === 'string' ? item.id : undefined;
        return id ? [id] : [];
      });
      if (type === 'images') {
        const community = await listAll(
          s,
          'image',
          `/images?owner=${q(s.projectId)}&visibility=community&limit=100`,
          'images',
        );
        for (const i of community) if (typeof i.id === 'string' && !ids.includes(i.id)) ids.push(i.id);
      }
      return [type, ids];
    }),
  );
  const inventory: Inventory = {};
  for (const e of entries) if (e) inventory[e[0]] = e[1];
  return inventory;
}

/** What is in `after` and not in `before` (pure), leaving out `ignore` (what tcup itself removes). */
export function leftovers(before: Inventory, after: Inventory, ignore: readonly string[] = []): Inventory {
  const left: Inventory = {};
  for (const type of RESOURCE_TYPES) {
    const had = new Set(before[type] ?? []);
    const extra = (after[type] ?? []).filter((id) => !had.has(id) && !ignore.includes(id));
    if (extra.length > 0) left[type] = extra;
  }
  return left;
}

export function countOf(inventory: Inventory): number {
  return RESOURCE_TYPES.reduce((n, t) => n + (inventory[t]?.length ?? 0), 0);
}

/** `servers: a, b; ports: c` (pure). */
export function describeInventory(inventory: Inventory): string {
  return RESOURCE_TYPES.filter((t) => inventory[t]?.length)
    .map((t) => `${t}: ${inventory[t]!.join(', ')}`)
    .join('; ');
}

export interface CleanupOutcome {
  deleted: Inventory;
  failed: { type: ResourceType; id: string; status: number | string }[];
}

/**
 * Deletes exactly `left` from this project, in dependency order (servers before their ports and
 * volumes, router interfaces before subnets). Waits a bounded time for servers and volumes to go (no
 * longer once `signal` fires).
 */
export async function deleteLeftovers(
  s: ProjectSession,
  left: Inventory,
  options: { waitMs?: number; sleep?: (ms: number) => Promise<void>; signal?: AbortSignal } = {},
): Promise<CleanupOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const waitMs = options.waitMs ?? 120_000;
  const outcome: CleanupOutcome = { deleted: {}, failed: [] };
  const done = (type: ResourceType, id: string) => (outcome.deleted[type] ??= []).push(id);
  const del = async (type: ResourceType, kind: ServiceKind, path: string, id: string) => {
    try {
      const { status } = await s.send(kind, 'DELETE', path);
      if (status < 300 || status === 404) done(type, id);
      else outcome.failed.push({ type, id, status });
      return status < 300 || status === 404;
    } catch (error) {
      outcome.failed.push({ type, id, status: error instanceof Error ? error.message : String(error) });
      return false;
    }
  };
  const gone = async (kind: ServiceKind, path: string) => {
    for (let waited = 0; waited < waitMs; waited += 1000) {
      if (options.signal?.aborted) return false; // its deadline passed: what is not deleted is reported
      if ((await s.get(kind, path).catch(() => null)) === undefined) return true;
      await sleep(1000);
    }
    return false;
  };
  const ids = (t: ResourceType) => left[t] ?? [];

  for (const id of ids('servers')) await del('servers', 'compute', `/servers/${q(id)}`, id);
  for (const id of ids('servers')) await gone('compute', `/servers/${q(id)}`);
  for (const id of ids('floating IPs')) await del('floating IPs', 'network', `/floatingips/${q(id)}`, id);
  for (const id of ids('routers')) {
    // Detach the router's interfaces (its ports) and its gateway first.
    const ports = await listAll(s, 'network', `/ports?device_id=${q(id)}`, 'ports').catch(() => []);
    for (const p of ports)
      if (typeof p.id === 'string' && p.device_owner === 'network:router_interface')
        await s
          .send('network', 'PUT', `/routers/${q(id)}/remove_router_interface`, { port_id: p.id })
          .catch(() => 0);
    await s
      .send('network', 'PUT', `/routers/${q(id)}`, { router: { external_gateway_info: {} } })
      .catch(() => 0);
    await del('routers', 'network', `/routers/${q(id)}`, id);
  }
  for (const id of ids('ports')) await del('ports', 'network', `/ports/${q(id)}`, id);
  for (const id of ids('subnets')) await del('subnets', 'network', `/subnets/${q(id)}`, id);
  for (const id of ids('networks')) await del('networks', 'network', `/networks/${q(id)}`, id);
  for (const id of ids('security groups'))
    await del('security groups', 'network', `/security-groups/${q(id)}`, id);
  for (const id of ids('keypairs')) await del('keypairs', 'compute', `/os-keypairs/${q(id)}`, id);
  for (const id of ids('snapshots')) await del('snapshots', 'volume', `/snapshots/${q(id)}`, id);
  for (const id of ids('snapshots')) await gone('volume', `/snapshots/${q(id)}`);
  for (const id of ids('volumes')) await del('volumes', 'volume', `/volumes/${q(id)}`, id);
  for (const id of ids('images')) await del('images', 'image', `/images/${q(id)}`, id);
  return outcome;
}
