/** Per-test results of a run and the documents made from them (pure). */

/** subunit statuses, plus `not-run` for a requested test that produced no result. */
export type TestStatus = 'success' | 'fail' | 'skip' | 'xfail' | 'uxsuccess' | 'not-run';

export interface TestResult {
  /** The full test id as Tempest reports it, attributes included: `a.b.C.test_x[id-…,smoke]`. */
  id: string;
  /** The id without its `[...]` attribute suffix. */
  name: string;
  /** The idempotent id (from the `id-…` attribute, without the prefix), when there is one. */
  uuid?: string;
  status: TestStatus;
  durationMs?: number;
  /** Skip reason or the first line of a failure, already redacted. */
  reason?: string;
  /** stestr's worker (`worker-0`) and the start in epoch ms: what class times are measured from. */
  worker?: string;
  startMs?: number;
}

/** `setUpClass (a.b.Class)`, `tearDownModule (a.b)`: a fixture result, not a test of the list. */
export const FIXTURE = /^(setUpClass|tearDownClass|setUpModule|tearDownModule) \((.+)\)$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits `name[attr,attr]` into the name and its idempotent id (core `id-<uuid>` or a bare uuid). */
export function splitTestId(id: string): { name: string; uuid?: string } {
  const open = id.indexOf('[');
  if (open < 0 || !id.endsWith(']')) return { name: id };
  const name = id.slice(0, open);
  for (const raw of id.slice(open + 1, -1).split(',')) {
    const attr = raw.trim();
    const bare = attr.startsWith('id-') ? attr.slice(3) : attr;
    if (UUID.test(bare)) return { name, uuid: bare.toLowerCase() };
  }
  return { name };
}

export interface RefstackDocument {
  cpid: string;
  duration_seconds: number;
  results: { name: string; uuid?: string }[];
}

/** The RefStack results document: passed tests only, each name once (also ignoring case). */
export function buildRefstackDocument(
  tests: readonly TestResult[],
  cpid: string,
  durationSeconds: number,
): RefstackDocument {
  const seen = new Set<string>();
  const results: RefstackDocument['results'] = [];
  for (const t of tests) {
    if (t.status !== 'success') continue;
    const key = t.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    results.push(t.uuid ? { name: t.name, uuid: t.uuid } : { name: t.name });
  }
  return { cpid, duration_seconds: Math.max(0, Math.round(durationSeconds)), results };
}
