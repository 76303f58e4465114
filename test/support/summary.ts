/** What the e2e read back from a run's results folder (summary.json), and the checks they share. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { LauncherRun } from './launcher.js';

/** summary.json of a run's folder; a run that wrote none fails with its exit code and its output. */
export function readSummary<T>(dir: string, run: LauncherRun): T {
  const file = join(dir, 'summary.json');
  if (!existsSync(file)) throw new Error(`no summary.json (exit ${run.code}):\n${run.stderr}`);
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export interface CloudAfter {
  leftovers: Record<string, unknown>;
  deleted?: Record<string, unknown>;
  failedToDelete?: Record<string, unknown>;
}

/** A test of the run that did not pass, as summary.json's compute.explained names it. */
export interface Explained {
  capability?: string;
  test: string;
  status: string;
  reason?: string;
  what?: string;
}

/** summary.json of a guideline run (the fields the e2e read). */
export interface GuidelineSummary<C = CloudAfter & { explained: Explained[] }> {
  compliant: boolean;
  passedCapabilities: number;
  totalCapabilities: number;
  failing: string[];
  counts: { tests: number; passed: number; failed: number; skipped: number; notRun: number };
  compute: C;
}

/** summary.json's counts of a standard's listed tests (scs-0128): the type tcup writes them with. */
export type { StandardCounts as ListedCounts } from '../../src/guidelines/standard.js';

/** A run's facts in summary.json. */
export interface RunFacts {
  tempestVersion: string;
  patches: string[];
}

/** What the run left was reported by type and id, and --cleanup-cloud deleted exactly that. */
export function expectCleanedUp(out: string, compute: CloudAfter): void {
  const left = compute.leftovers;
  if (Object.keys(left).length > 0) {
    expect(out).toMatch(/the run left \d+ resource\(s\) in the test projects/);
    expect(compute.deleted).toEqual(left);
    expect(compute.failedToDelete).toEqual({});
  } else expect(out).toMatch(/nothing left in the test projects/);
}
