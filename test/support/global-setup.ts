/**
 * The run's bed registry (test/support/beds.ts): made by the first set-up of a vitest run (vitest calls
 * this once for the root and once per project, in one process), given to the test workers, and, after
 * the last teardown, every bed of the run removed. The registry folder goes with it. `npm test` opens it
 * itself before its two engine lanes (scripts/test.mjs repeats these variables' names), so both vitest
 * processes share the beds and neither one's last teardown removes them: test.mjs does, at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { TestProject } from 'vitest/node';
import { BEDS_DIR_VAR, BEDS_RUN_VAR, LABEL_BEDS_RUN } from './beds.js';

const USERS_VAR = 'TCUP_TEST_BEDS_USERS';

export default function setup(project: TestProject): () => Promise<void> {
  const close = openBedRegistry();
  project.provide('tcupBedsDir', process.env[BEDS_DIR_VAR]!);
  project.provide('tcupBedsRun', process.env[BEDS_RUN_VAR]!);
  return close;
}

/**
 * Opens this process's bed registry (its variables, inherited by child processes) unless open, and
 * returns its closing: the last close removes the run's beds and the registry.
 */
export function openBedRegistry(): () => Promise<void> {
  process.env[BEDS_DIR_VAR] ??= mkdtempSync(join(tmpdir(), 'tcup-beds-'));
  process.env[BEDS_RUN_VAR] ??= randomUUID();
  process.env[USERS_VAR] = String(Number(process.env[USERS_VAR] ?? '0') + 1);
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    const left = Number(process.env[USERS_VAR]) - 1;
    process.env[USERS_VAR] = String(left);
    if (left > 0) return;
    await removeBeds(process.env[BEDS_RUN_VAR]!);
    rmSync(process.env[BEDS_DIR_VAR]!, { recursive: true, force: true });
  };
}

/** Removes every container (with its volumes) labelled with the run's id. */
export async function removeBeds(run: string): Promise<void> {
  const docker = new Docker();
  let found: Docker.ContainerInfo[];
  try {
    found = await docker.listContainers({ all: true, filters: { label: [`${LABEL_BEDS_RUN}=${run}`] } });
  } catch {
    return; // no engine: nothing was started
  }
  await Promise.all(
    found.map(async (c) => {
      const container = docker.getContainer(c.Id);
      // A bed no file held at the end is paused (beds.ts holdBed): thawed first, so it stops as any other.
      if (c.State === 'paused') await container.unpause().catch(() => undefined);
      await container.remove({ force: true, v: true }).catch(() => undefined);
    }),
  );
}
