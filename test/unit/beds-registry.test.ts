/**
 * The run's bed registry (test/support/beds.ts): a bed is started once and found by every later file; a
 * start that failed is tried once, and every later file gets its error at once; two starts at the same
 * time start one bed; a bed runs while a file holds it and is paused while none does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEDS_DIR_VAR, BEDS_RUN_VAR, LABEL_BEDS_RUN, holdBed, sharedBed } from '../support/beds.js';

describe('the bed registry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tcup-beds-unit-'));
    process.env[BEDS_DIR_VAR] = dir;
    process.env[BEDS_RUN_VAR] = 'run-1';
  });
  afterEach(() => {
    delete process.env[BEDS_DIR_VAR];
    delete process.env[BEDS_RUN_VAR];
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a bed once, labelled with the run, and gives every later caller the same one', async () => {
    const starts: Record<string, string>[] = [];
    const start = (labels: Record<string, string>) => {
      starts.push(labels);
      return Promise.resolve({ id: `bed-${starts.length}` });
    };
    expect(await sharedBed('keystone-zed', start)).toEqual({ id: 'bed-1' });
    expect(await sharedBed('keystone-zed', start)).toEqual({ id: 'bed-1' });
    expect(await sharedBed('keystone-2025.1', start)).toEqual({ id: 'bed-2' });
    expect(starts).toEqual([{ [LABEL_BEDS_RUN]: 'run-1' }, { [LABEL_BEDS_RUN]: 'run-1' }]);
  });

  it('starts one bed when two callers ask at the same time', async () => {
    let starts = 0;
    const start = async () => {
      starts++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { n: starts };
    };
    const [a, b] = await Promise.all([sharedBed('swift', start), sharedBed('swift', start)]);
    expect(starts).toBe(1);
    expect(a).toEqual(b);
  });

  it('tries a failing bed once: later callers get its error and log at once', async () => {
    let starts = 0;
    const failing = () => {
      starts++;
      return Promise.reject(new Error('Keystone (zed) did not start; its logs:\nport taken'));
    };
    await expect(sharedBed('keystone-zed', failing)).rejects.toThrow(/port taken/);
    await expect(sharedBed('keystone-zed', failing)).rejects.toThrow(
      /the keystone-zed bed failed to start earlier in this run:\nKeystone \(zed\) did not start; its logs:\nport taken/,
    );
    expect(starts).toBe(1);
  });

  it('runs a bed while any file holds it and pauses it when the last lets go (twice is once)', async () => {
    const journal: string[] = [];
    const engine = {
      pause: (id: string) => Promise.resolve(void journal.push(`pause ${id}`)),
      unpause: (id: string) => Promise.resolve(void journal.push(`unpause ${id}`)),
    };
    const a = await holdBed('compute', 'c1', engine);
    const b = await holdBed('compute', 'c1', engine);
    const other = await holdBed('swift', 's1', engine);
    expect(journal).toEqual(['unpause c1', 'unpause s1']);
    await a();
    await a();
    expect(journal).toEqual(['unpause c1', 'unpause s1']);
    await b();
    expect(journal).toEqual(['unpause c1', 'unpause s1', 'pause c1']);
    const c = await holdBed('compute', 'c1', engine);
    expect(journal.at(-1)).toBe('unpause c1');
    await Promise.all([c(), other()]);
    expect(journal.slice(-2).sort()).toEqual(['pause c1', 'pause s1']);
  });

  it('says how to run when there is no registry', async () => {
    delete process.env[BEDS_DIR_VAR];
    await expect(sharedBed('compute', () => Promise.resolve({}))).rejects.toThrow(/no bed registry/);
  });
});
