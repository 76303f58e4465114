/** Matches requested tests to the installed Tempest's tests: by name, then alias, then idempotent id (pure). */
import { splitTestId } from '../results/tests.js';

export interface RequestedTest {
  name: string;
  uuid?: string;
  aliases: readonly string[];
}

export interface TestMatch<T extends RequestedTest> {
  requested: T;
  /** The installed test's full id, attributes included (what `tempest run` takes). */
  installedId: string;
  /** How it was found: `uuid` means the test was renamed but kept its idempotent id. */
  by: 'name' | 'alias' | 'uuid';
}

export interface MatchResult<T extends RequestedTest> {
  matched: TestMatch<T>[];
  /** Requested tests the installed Tempest does not have, in request order. */
  missing: T[];
}

/** `installed` are lines of `tempest run --list-tests`: full ids with their `[id-…,…]` attributes. */
export function matchTests<T extends RequestedTest>(
  requested: readonly T[],
  installed: readonly string[],
): MatchResult<T> {
  const byName = new Map<string, string>();
  const byUuid = new Map<string, string>();
  for (const line of installed) {
    const id = line.trim();
    if (id === '') continue;
    const { name, uuid } = splitTestId(id);
    if (!byName.has(name)) byName.set(name, id);
    if (uuid && !byUuid.has(uuid)) byUuid.set(uuid, id);
  }
  const matched: TestMatch<T>[] = [];
  const missing: T[] = [];
  for (const test of requested) {
    const exact = byName.get(test.name);
    const alias = exact ? undefined : test.aliases.map((a) => byName.get(a)).find((id) => id !== undefined);
    const renamed = exact || alias || !test.uuid ? undefined : byUuid.get(test.uuid.toLowerCase());
    if (exact) matched.push({ requested: test, installedId: exact, by: 'name' });
    else if (alias) matched.push({ requested: test, installedId: alias, by: 'alias' });
    else if (renamed) matched.push({ requested: test, installedId: renamed, by: 'uuid' });
    else missing.push(test);
  }
  return { matched, missing };
}
