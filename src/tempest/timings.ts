/**
 * Class times kept on the user's machine between runs, so the next run's workers are balanced:
 * `$XDG_CACHE_HOME/tcup/timings/<tempest version>-<hash of the auth URL>.json` (default `~/.cache`).
 * The file holds class ids and milliseconds only: no names, no URLs, no secrets.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface TimingsFile {
  version: 1;
  classes: Record<string, number>;
}

export function timingsDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.cache');
  return join(base, 'tcup', 'timings');
}

export function timingsFile(
  env: Readonly<Record<string, string | undefined>>,
  tempestVersion: string,
  authUrl: string,
): string {
  const cloud = createHash('sha256').update(authUrl.replace(/\/+$/, '')).digest('hex').slice(0, 16);
  const version = tempestVersion.replace(/[^\w.-]/g, '_') || 'unknown';
  return join(timingsDir(env), `${version}-${cloud}.json`);
}

/** The class times recorded for this cloud and Tempest; none when the file is missing or unreadable. */
export async function loadTimings(file: string): Promise<Map<string, number>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<TimingsFile>;
    const out = new Map<string, number>();
    for (const [cls, ms] of Object.entries(parsed.classes ?? {}))
      if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) out.set(cls, ms);
    return out;
  } catch {
    return new Map();
  }
}

/** Old and new times merged: a class measured again takes the mean of both, so one slow run is damped. */
export function mergeTimings(
  old: ReadonlyMap<string, number>,
  fresh: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map(old);
  for (const [cls, ms] of fresh) {
    const before = old.get(cls);
    out.set(cls, Math.round(before === undefined ? ms : (before + ms) / 2));
  }
  return out;
}

/** Writes the merged times (atomically: a crash leaves the old file). */
export async function saveTimings(file: string, fresh: ReadonlyMap<string, number>): Promise<void> {
  if (fresh.size === 0) return;
  const merged = mergeTimings(await loadTimings(file), fresh);
  const body: TimingsFile = { version: 1, classes: Object.fromEntries([...merged].sort()) };
  await mkdir(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(body, null, 1)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}
