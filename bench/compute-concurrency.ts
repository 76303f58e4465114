/**
 * `npm run bench:compute`: the Tempest concurrency the compute test bed bears (issue 19, item 3).
 * SCS-0128 whole (Tempest chosen by tcup), 8 member accounts, `--cleanup-cloud`, on the run's compute bed,
 * at each concurrency of ORDER in turn, one run at a time and nothing else of the bench's running. A run
 * counts green when it exits 0 with no failed test and leaves the test projects as they were (checked as
 * admin through the APIs). Prints each run and writes bench/compute-concurrency.md. Every container it
 * starts is removed at the end, on failure and on Ctrl-C.
 *
 *   npm run bench:compute [-- 4,4,2,4,4,4]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBedRegistry } from '../test/support/global-setup.js';
import { buildLauncher, TESTBED_ENV } from '../test/support/launcher.js';
import { accountsYaml, openrcEnv } from '../test/support/testbed.js';
import { type ComputeTenant, useCompute } from '../test/support/beds.js';
import { markdownTable, seconds, type Row } from './report.js';
import { median, runTimed } from './timed-process.js';
import { tail } from './tcup-run.js';
import { log } from './warm-runs.js';

const RESULTS = fileURLToPath(new URL('./compute-concurrency.md', import.meta.url));
const MEMBERS = ['cc1', 'alt_cc1', 'cc2', 'alt_cc2', 'cc3', 'alt_cc3', 'cc4', 'alt_cc4'];
const RUN_TIMEOUT_MS = 40 * 60_000;
const ORDER = (process.argv[2] ?? '4,4,2,4,4,4').split(',').map(Number);

interface Listed {
  listed: number;
  passed: number;
  failed: number;
  skipped: number;
  notRun: number;
}

interface Outcome {
  concurrency: number;
  wallMs: number;
  code: number | null;
  listed: Listed | undefined;
  projectsClean: boolean;
  green: boolean;
}

const controller = new AbortController();
const work = mkdtempSync(join(tmpdir(), 'tcup-bench-compute-'));
const closeBeds = openBedRegistry();
let bed: ComputeTenant | undefined;

async function cleanUp(): Promise<void> {
  await bed?.dispose().catch(() => undefined);
  await closeBeds();
  rmSync(work, { recursive: true, force: true });
}

process.once('SIGINT', () => controller.abort(new Error('interrupted')));
process.once('SIGTERM', () => controller.abort(new Error('terminated')));

async function main(): Promise<Outcome[]> {
  log(`machine: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`);
  const launcher = join(work, 'tcup.cjs');
  copyFileSync(buildLauncher(), launcher);
  bed = await useCompute({ members: MEMBERS, memberPassword: 'bench-pw' });
  const projects = bed.members.map((m) => m.project);
  const before = JSON.stringify(await bed.projectResources(projects));
  writeFileSync(join(work, 'accounts.yaml'), accountsYaml(bed.members));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: work,
    // The test bed's mirror snapshot (as every test's tcup): its Tempest 47 image is built with it.
    ...TESTBED_ENV,
    ...openrcEnv(bed, bed.members[0]!),
  };
  const outcomes: Outcome[] = [];
  for (const [i, concurrency] of ORDER.entries()) {
    const out = join(work, `run-${i + 1}`);
    log(`run ${i + 1}/${ORDER.length}: SCS-0128, --concurrency ${concurrency}, 8 members`);
    const run = await runTimed(
      process.execPath,
      [
        launcher,
        ...['--target', 'scs-0128', '--accounts', 'accounts.yaml', '--cleanup-cloud'],
        ...['--concurrency', String(concurrency), '-o', out],
      ],
      { cwd: work, env, timeoutMs: RUN_TIMEOUT_MS, signal: controller.signal },
    );
    if (controller.signal.aborted) throw controller.signal.reason;
    let listed: Listed | undefined;
    try {
      listed = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { listed: Listed }).listed;
    } catch {
      listed = undefined;
    }
    const projectsClean = JSON.stringify(await bed.projectResources(projects)) === before;
    const green = run.code === 0 && listed?.failed === 0 && projectsClean;
    outcomes.push({ concurrency, wallMs: run.wallMs, code: run.code, listed, projectsClean, green });
    log(
      `  ${seconds(run.wallMs)}, exit ${run.code}, ` +
        (listed
          ? `${listed.passed} passed, ${listed.failed} failed, ${listed.skipped} skipped, ${listed.notRun} not run`
          : 'no summary') +
        `, projects ${projectsClean ? 'as before' : 'CHANGED'}: ${green ? 'green' : 'NOT green'}`,
    );
    if (!green) {
      // Five green in a row is the measure: a red run ends it.
      log(tail(run, 30));
      break;
    }
  }
  return outcomes;
}

function write(outcomes: Outcome[], started: Date): void {
  const rows: Row[] = [];
  const settings = [...new Set(outcomes.map((o) => o.concurrency))].sort((a, b) => a - b);
  for (const c of settings) {
    const runs = outcomes.filter((o) => o.concurrency === c);
    const greens = runs.filter((o) => o.green).length;
    rows.push({
      what: `SCS-0128 whole, 8 members, --concurrency ${c}: wall time, median of ${runs.length}`,
      measured: `${seconds(median(runs.map((o) => o.wallMs)))} (${runs.map((o) => seconds(o.wallMs)).join(', ')})`,
      goal: `green every run (${greens}/${runs.length})`,
      pass: greens === runs.length,
    });
  }
  const fastest = settings
    .map((c) => ({ c, ms: median(outcomes.filter((o) => o.concurrency === c).map((o) => o.wallMs)) }))
    .sort((a, b) => a.ms - b.ms);
  if (fastest.length > 1)
    rows.push({
      what: `--concurrency ${fastest[0]!.c} / --concurrency ${fastest[1]!.c}, medians`,
      measured: (fastest[0]!.ms / fastest[1]!.ms).toFixed(3),
      goal: '—',
      pass: undefined,
    });
  const lines = [
    '# Compute concurrency on the compute test bed',
    '',
    `Measured by \`npm run bench:compute\` in one run started ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    markdownTable(rows),
    '',
    '## Runs, in order',
    '',
    ...outcomes.map(
      (o, i) =>
        `${i + 1}. --concurrency ${o.concurrency}: ${seconds(o.wallMs)}, exit ${o.code}, ` +
        (o.listed
          ? `${o.listed.passed} passed, ${o.listed.failed} failed, ${o.listed.skipped} skipped, ${o.listed.notRun} not run`
          : 'no summary.json') +
        `, test projects ${o.projectsClean ? 'as before' : 'changed'}: ${o.green ? 'green' : 'NOT green'}`,
    ),
    '',
    '## Machine',
    '',
    `- ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`,
    `- load after: \`${execFileSync('uptime', { encoding: 'utf8' }).trim()}\``,
    '- The compute bed is OpenStack 2026.2 (Debian unstable) with the fake virt driver; Tempest chosen by',
    '  tcup (47). Nothing else of the bench ran beside a run.',
    '',
  ];
  writeFileSync(RESULTS, lines.join('\n'));
}

const started = new Date();
main()
  .then((outcomes) => {
    write(outcomes, started);
    log(`written ${RESULTS}`);
    process.exitCode = outcomes.every((o) => o.green) ? 0 : 1;
  })
  .catch((error: unknown) => {
    log(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => void cleanUp());
