/**
 * What tcup has on the engine, found by its labels (`tcup=1`, `tcup.session=<host>/<pid>/<random>`):
 * containers, networks and volumes of runs, and tcup's images; and their removal, for `tcup cleanup`.
 */
import { debug } from '../core/log.js';
import { removeContainer, statusOf, type Engine } from './engine.js';
import { LABEL_TOOL, shortImageName } from './image.js';
import { LABEL_SESSION } from './container.js';

export type LeftoverKind = 'container' | 'network' | 'volume';

export interface Leftover {
  kind: LeftoverKind;
  /** The engine's id (a volume's is its name). */
  id: string;
  name: string;
  /** The tcup.session label, when it has one. */
  session?: string;
  /** A container's state (running, exited, created, …). */
  state?: string;
}

export interface TcupImage {
  id: string;
  /** repo:tag names; none for an image whose tag has moved on (dangling). */
  tags: string[];
}

/** The two labels every tcup object carries; the engine ANDs label filters, so each is asked apart. */
const LABEL_FILTERS = [`${LABEL_TOOL}=1`, LABEL_SESSION];

async function byLabel<T>(list: (label: string) => Promise<T[]>, key: (item: T) => string): Promise<T[]> {
  const found = new Map<string, T>();
  for (const label of LABEL_FILTERS) for (const item of await list(label)) found.set(key(item), item);
  return [...found.values()];
}

const sessionOf = (labels: Record<string, string> | null | undefined) => {
  const session = labels?.[LABEL_SESSION];
  return session ? { session } : {};
};

/** Every container, network and volume carrying tcup's labels, containers first. */
export async function listLeftovers(engine: Engine): Promise<Leftover[]> {
  const containers = await byLabel(
    (label) => engine.listContainers({ all: true, filters: { label: [label] } }),
    (c) => c.Id,
  );
  const networks = await byLabel(
    (label) => engine.listNetworks({ filters: { label: [label] } }),
    (n) => n.Id,
  );
  const volumes = await byLabel(
    async (label) => (await engine.listVolumes({ filters: { label: [label] } })).Volumes ?? [],
    (v) => v.Name,
  );
  const found: Leftover[] = [
    ...containers.map((c) => ({
      kind: 'container' as const,
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      state: c.State,
      ...sessionOf(c.Labels),
    })),
    ...networks.map((n) => ({ kind: 'network' as const, id: n.Id, name: n.Name, ...sessionOf(n.Labels) })),
    ...volumes.map((v) => ({ kind: 'volume' as const, id: v.Name, name: v.Name, ...sessionOf(v.Labels) })),
  ];
  debug('engine: %d tcup object(s) found by label', found.length);
  return found;
}

/** Removes one leftover (a container with its anonymous volumes); one already gone is fine. */
export async function removeLeftover(engine: Engine, item: Leftover): Promise<void> {
  debug('engine: removing %s %s', item.kind, item.name);
  if (item.kind === 'container') return removeContainer(engine.getContainer(item.id));
  try {
    if (item.kind === 'network') await engine.getNetwork(item.id).remove();
    else await engine.getVolume(item.id).remove();
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

/** tcup's images: built with the label tcup=1. */
export async function listTcupImages(engine: Engine): Promise<TcupImage[]> {
  const images = await engine.listImages({ filters: { label: [`${LABEL_TOOL}=1`] } });
  return images.map((i) => ({
    id: i.Id,
    tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>').map(shortImageName),
  }));
}

/**
 * Removes a name of an image (the image goes with its last name), or a dangling image by id; never by
 * force, so an image a container still uses stays (the engine answers 409).
 */
export async function removeImage(engine: Engine, nameOrId: string): Promise<void> {
  debug('engine: removing image %s', nameOrId);
  try {
    await engine.getImage(nameOrId).remove({ noprune: false });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}
