/**
 * `npm test`'s two engine lanes (scripts/test.mjs): every integration and engine e2e file runs in exactly
 * one, the compute lane is the compute e2e alone, and each lane's vitest command (its projects and
 * files) selects exactly that lane's files. Only vitest's file listing runs: no set-up, no engine.
 */
import { execFileSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

/** The files vitest would run for these projects and file filters, as `vitest list --filesOnly` finds them. */
function listed(projects: string[], files: string[] = []): string[] {
  const out = execFileSync(
    process.execPath,
    [VITEST, 'list', '--filesOnly', '--json', ...projects.flatMap((p) => ['--project', p]), ...files],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return (JSON.parse(out) as { file: string }[]).map((f) => relative(ROOT, f.file)).sort();
}

it('puts every engine file in exactly one lane, the compute e2e alone beside the rest', () => {
  const lanes = JSON.parse(
    execFileSync(process.execPath, ['scripts/test.mjs', 'lanes'], { cwd: ROOT, encoding: 'utf8' }),
  ) as { alone: string[]; compute: string[]; engine: string[] };
  expect(lanes.compute).toEqual(['test/e2e/compute.test.ts']);
  expect(lanes.alone).toContain('test/e2e/cleanup.test.ts');
  expect(lanes.engine.filter((f) => lanes.compute.includes(f) || lanes.alone.includes(f))).toEqual([]);
  expect(lanes.alone.filter((f) => lanes.compute.includes(f))).toEqual([]);
  expect([...lanes.alone, ...lanes.compute, ...lanes.engine].sort()).toEqual(listed(['integration', 'e2e']));
  expect(lanes.engine.some((f) => f.startsWith('test/integration/'))).toBe(true);
  // As scripts/test.mjs runs them: each lane's filters select its files and no other.
  expect(listed(['integration', 'e2e'], lanes.engine)).toEqual([...lanes.engine].sort());
  expect(listed(['e2e'], lanes.compute)).toEqual([...lanes.compute].sort());
  expect(listed(['integration', 'e2e'], lanes.alone)).toEqual([...lanes.alone].sort());
}, 120_000);
