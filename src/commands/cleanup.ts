/**
 * `tcup cleanup`: what tcup left on the engine (a launcher killed with SIGKILL, a crash, a second
 * Ctrl-C), found by label and removed; with --images also tcup images other than the ones this version
 * builds. Never what a tcup still running on this host uses; what it cannot check (a session of another
 * host, no session) only with --all. --dry-run shows the same list and removes nothing.
 */
import { EXIT_OK, TcupError } from '../core/errors.js';
import type { Owner } from '../core/session.js';
import { pingEngine } from '../engine/engine.js';
import { currentImageTags } from '../engine/image.js';
import {
  listLeftovers,
  listTcupImages,
  removeImage,
  removeLeftover,
  type Leftover,
  type TcupImage,
} from '../engine/inventory.js';
import type { Deps } from '../pipeline/options.js';
import { PLUGINS } from '../guidelines/model.js';
import { VARIANT_IMAGE_ARGS } from '../tempest/variant.js';

export interface CleanupOptions {
  dryRun: boolean;
  images: boolean;
  all: boolean;
}

export interface Verdict {
  remove: boolean;
  why: string;
}

/** Whether a leftover may go: its launcher is gone (same host, pid not running), or --all. */
export function judgeLeftover(item: Leftover, owner: Owner, all: boolean): Verdict {
  const [host, pidText] = (item.session ?? '').split('/');
  const pid = Number(pidText);
  const state = item.state ? `${item.state}, ` : '';
  if (host === owner.host && Number.isInteger(pid) && pid > 0) {
    if (pid !== owner.pid && !owner.isAlive(pid))
      return { remove: true, why: `${state}its tcup (pid ${pid}) is gone` };
    return { remove: false, why: `${state}its tcup (pid ${pid}) is still running` };
  }
  const whose = item.session ? `made by tcup on ${host ?? 'another host'}` : 'no tcup.session label';
  return all
    ? { remove: true, why: `${state}${whose}` }
    : { remove: false, why: `${state}${whose}: --all removes it` };
}

/** The names (or, for a dangling image, the id) to remove: every tcup image without a current tag. */
export function staleImages(images: readonly TcupImage[], current: ReadonlySet<string>): string[] {
  return images
    .filter((image) => !image.tags.some((t) => current.has(t)))
    .flatMap((image) => (image.tags.length > 0 ? image.tags : [image.id]));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function cleanupCommand(deps: Deps, options: CleanupOptions): Promise<number> {
  const out = (line: string) => deps.stdout.write(deps.redactor.redact(line) + '\n');
  const engine = await deps.engine(deps.env);
  await pingEngine(engine);
  const found = (await listLeftovers(engine)).map((item) => ({
    item,
    ...judgeLeftover(item, deps.owner, options.all),
  }));
  const images = options.images
    ? staleImages(
        await listTcupImages(engine),
        new Set(currentImageTags([[], ...Object.values(PLUGINS)], VARIANT_IMAGE_ARGS)),
      )
    : [];
  const doomed = found.filter((f) => f.remove);
  const verb = options.dryRun ? 'would remove' : 'removing';
  for (const { item, remove, why } of found)
    out(`${remove ? verb : 'keeping'} ${item.kind} ${item.name} (${why})`);
  for (const name of images) out(`${verb} image ${name} (not an image this tcup builds)`);
  const what = [
    ...(['container', 'network', 'volume'] as const)
      .map((kind) => [kind, doomed.filter((f) => f.item.kind === kind).length] as const)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => plural(n, kind)),
    ...(images.length > 0 ? [plural(images.length, 'image')] : []),
  ];
  if (what.length === 0) {
    out(
      found.length > 0
        ? 'nothing to remove'
        : `nothing of tcup's is left on the engine${options.images ? '' : ' (images are kept: --images)'}`,
    );
    return EXIT_OK;
  }
  if (options.dryRun) {
    out(`would remove ${what.join(', ')} (dry run: nothing removed)`);
    return EXIT_OK;
  }
  const failed: string[] = [];
  // Containers before their networks and volumes, and before the images they were made from.
  for (const { item } of doomed)
    await removeLeftover(engine, item).catch(() => failed.push(`${item.kind} ${item.name}`));
  for (const name of images) await removeImage(engine, name).catch(() => failed.push(`image ${name}`));
  if (failed.length > 0)
    throw new TcupError(
      'DOCKER_UNAVAILABLE',
      `the engine did not remove ${failed.join(', ')}`,
      'an image a container still uses stays; `docker ps -a` shows what uses it',
    );
  out(`removed ${what.join(', ')}`);
  return EXIT_OK;
}
