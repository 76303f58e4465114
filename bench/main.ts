/**
 * `npm run bench`: what tcup costs on top of Tempest and Docker, measured on this machine in one run.
 * Prints a table and writes bench/results.md. Every container it starts carries `tcup.test=1` and the test
 * bed's session label and is removed at the end, on failure, on Ctrl-C and when the time limit hits.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../src/engine/docker.js';
import { openBedRegistry } from '../test/support/global-setup.js';
import { leftoverContainers, openrcEnv } from '../test/support/testbed.js';
import { measureColdRun } from './cold-run.js';
import { ADDON_PLUGINS, ensurePluginImage, imageBytes, megabytes } from './image-size.js';
import { measureRedactor } from './redactor-throughput.js';
import { formatTable, seconds, type Row } from './report.js';
import { writeResults } from './results-file.js';
import { measureStartup } from './startup.js';
import { measureStorageRuns, STORAGE_ARGS } from './storage-runs.js';
import { median } from './timed-process.js';
import { log, measureWarmRuns } from './warm-runs.js';
import { type KeystoneTenant, type SwiftTenant } from '../test/support/beds.js';

const TIME_LIMIT_MS = 50 * 60_000;
const RESULTS = fileURLToPath(new URL('./results.md', import.meta.url));

const controller = new AbortController();
const work = mkdtempSync(join(tmpdir(), 'tcup-bench-'));
/** Class times of every bench run, as timings cache files: the input of scripts/ship-timings.mjs. Kept. */
const KEEP = join(tmpdir(), `tcup-bench-timings-${new Date().toISOString().replace(/[:.]/g, '-')}`);
/** The bench's beds (Keystone, Swift): started once, removed by cleanUp. */
const closeBeds = openBedRegistry();
let keystone: KeystoneTenant | undefined;
let bed: { keystone: KeystoneTenant; swift: SwiftTenant } | undefined;

async function cleanUp(): Promise<number> {
  await keystone?.dispose().catch(() => undefined);
  await bed?.swift.dispose().catch(() => undefined);
  await bed?.keystone.dispose().catch(() => undefined);
  await closeBeds();
  const engine = createEngine(process.env);
  const left = await leftoverContainers();
  await Promise.all(
    left.map((id) =>
      engine
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  rmSync(work, { recursive: true, force: true });
  return left.length;
}

function stopEarly(why: string, code: number): void {
  log(`${why}: stopping and removing the bench's containers`);
  controller.abort(new Error(why));
  setTimeout(() => void cleanUp().finally(() => process.exit(code)), 25_000).unref();
}

process.once('SIGINT', () => stopEarly('interrupted', 130));
process.once('SIGTERM', () => stopEarly('terminated', 143));
setTimeout(
  () => stopEarly(`over the time limit of ${TIME_LIMIT_MS / 60_000} min`, 124),
  TIME_LIMIT_MS,
).unref();

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const range = (values: number[]) => `${seconds(Math.min(...values))} – ${seconds(Math.max(...values))}`;

async function main(): Promise<void> {
  const loadBefore = uptime();
  log(`machine: ${loadBefore}`);
  mkdirSync(KEEP, { recursive: true });
  const warm = await measureWarmRuns(work, controller.signal, (k) => (keystone = k), KEEP);
  await keystone?.dispose();
  keystone = undefined;

  log('storage target on the Keystone + Swift bed (2025.1): tcup and run-tempest.sh alternated');
  const storage = await measureStorageRuns(warm.launcher, work, KEEP, controller.signal, (k, s) => {
    bed = { keystone: k, swift: s };
  });
  log('cold first run: the storage target with a throwaway image (new tag, no cached layer)');
  const cold = await measureColdRun(warm.launcher, {
    cwd: join(work, 'storage'),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(work, 'storage'),
      ...openrcEnv(storage.keystone, storage.keystone.members[0]!),
    },
    args: STORAGE_ARGS,
    resultsDir: join(work, 'storage', 'cold'),
    signal: controller.signal,
  });
  await storage.swift.dispose();
  await storage.keystone.dispose();
  bed = undefined;

  log('tcup --help start-up (1 warm-up + 10)');
  const help = await measureStartup([warm.launcher, '--help'], work);
  const bareNode = await measureStartup(['-e', '0'], work);
  log('redactor throughput (100 MB, 3 passes)');
  const redactor = await measureRedactor();
  log(`image sizes (building the add-on image with ${ADDON_PLUGINS.join(', ')} if it is missing)`);
  const coreBytes = await imageBytes(warm.image);
  const plugin = await ensurePluginImage(controller.signal);
  const loadAfter = uptime();

  const tcupWall = median(warm.tcup.map((r) => r.run.wallMs));
  const bareWall = median(warm.bare.map((r) => r.run.wallMs));
  const ratio = tcupWall / bareWall;
  // Fastest against fastest: the runs least disturbed by the other load on the machine.
  const fastest =
    Math.min(...warm.tcup.map((r) => r.run.wallMs)) / Math.min(...warm.bare.map((r) => r.run.wallMs));
  const first = warm.tcup.map((r) => r.firstResultMs ?? Number.NaN);
  const imageWork = warm.tcup.map((r) => r.imageWorkMs ?? Number.NaN);
  const reusedEvery = warm.tcup.every((r) => r.reusedTag === warm.image && !r.built);
  const phase = storage.tcup.map((r) => r.times.spanMs / r.idealMs);
  const idPhase = warm.runPhase.map((r) => r.spanMs / r.idealMs);
  const stTcup = median(storage.tcup.map((r) => r.run.wallMs));
  const stBare = median(storage.bare.map((r) => r.run.wallMs));
  const stFirst = storage.tcup.map((r) => r.firstResultMs ?? Number.NaN);
  const ratios = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
  const rows: Row[] = [
    {
      what: `storage (${storage.tests} tests, 2 workers): run phase / ideal schedule of the same run's class times, median of ${phase.length}`,
      measured: `${median(phase).toFixed(2)} (${ratios(phase)})`,
      goal: '≤ 1.20',
      pass: median(phase) <= 1.2,
    },
    {
      what: 'storage, first run on an empty timings cache (shipped defaults): run phase / ideal',
      measured: `${(storage.first.times.spanMs / storage.first.idealMs).toFixed(2)} (${seconds(storage.first.times.spanMs)} / ${seconds(storage.first.idealMs)})`,
      goal: '≤ 1.20',
      pass: storage.first.times.spanMs / storage.first.idealMs <= 1.2,
    },
    {
      what: `identity (${warm.tests.length} tests, 1 worker): run phase / ideal, median of ${idPhase.length}`,
      measured: `${median(idPhase).toFixed(2)} (${ratios(idPhase)})`,
      goal: '≤ 1.20',
      pass: median(idPhase) <= 1.2,
    },
    {
      what: `storage whole command: tcup / bare run-tempest.sh in the same image, medians of ${storage.tcup.length}`,
      measured: `${(stTcup / stBare).toFixed(3)} (${seconds(stTcup)} / ${seconds(stBare)})`,
      goal: '≤ 0.60',
      pass: stTcup / stBare <= 0.6,
    },
    {
      what: 'cold first run, storage target: command → verdict, image built with no cached layer (base image present)',
      measured: `${seconds(cold.verdictMs ?? cold.run.wallMs)} (build ${seconds(cold.buildMs ?? Number.NaN)})`,
      goal: '< 180 s',
      pass: (cold.verdictMs ?? cold.run.wallMs) < 180_000,
    },
    {
      what: 'warm storage: tcup start → first test result (median)',
      measured: `${seconds(median(stFirst))} (${range(stFirst)})`,
      goal: '< 15 s',
      pass: median(stFirst) < 15_000,
    },
    {
      what: `warm identity run (${warm.tests.length} tests): tcup / bare docker run, medians of ${warm.tcup.length}`,
      measured: `${ratio.toFixed(3)} (${seconds(tcupWall)} / ${seconds(bareWall)}); fastest runs ${fastest.toFixed(3)}`,
      goal: '≤ 1.10',
      pass: ratio <= 1.1,
    },
    {
      what: 'warm: tcup start → first test result (median)',
      measured: `${seconds(median(first))} (${range(first)})`,
      goal: '< 15 s',
      pass: median(first) < 15_000,
    },
    {
      what: 're-run, no change: image work (median), "reusing" in every run',
      measured: `${seconds(median(imageWork))} (${range(imageWork)}); reused ${warm.tcup.filter((r) => r.reusedTag).length}/${warm.tcup.length}`,
      goal: '< 3 s, reused',
      pass: median(imageWork) < 3_000 && reusedEvery,
    },
    {
      what: '`tcup --help` start-up, single file (median of 10)',
      measured: `${seconds(help.medianMs)} (node -e 0: ${seconds(bareNode.medianMs)})`,
      goal: '< 0.3 s',
      pass: help.medianMs < 300,
    },
    {
      what: 'redactor stream, 100 MB log, 5 secrets, 64 KiB chunks (median of 3)',
      measured: `${redactor.mbPerSecond.toFixed(0)} MB/s; ${redactor.redactions}/${redactor.secretsPlanted} redacted, ${redactor.leaks} leaks`,
      goal: '≥ 200 MB/s, 0 leaks',
      pass:
        redactor.mbPerSecond >= 200 &&
        redactor.leaks === 0 &&
        redactor.redactions === redactor.secretsPlanted,
    },
    { what: 'image size: core', measured: megabytes(coreBytes), goal: '—', pass: undefined },
    {
      what: `image size: with ${ADDON_PLUGINS.join(', ')}`,
      measured: `${megabytes(plugin.bytes)} (+${megabytes(plugin.bytes - coreBytes)})`,
      goal: '—',
      pass: undefined,
    },
  ];
  const leftovers = await cleanUp();
  console.log(formatTable(rows));
  writeResults(RESULTS, rows, {
    warm,
    storage,
    cold,
    keep: KEEP,
    help,
    bareNode,
    redactor,
    coreBytes,
    plugin,
    leftovers,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memBytes: totalmem(), loadavg: loadavg() },
    loadBefore,
    loadAfter,
  });
  log(`wrote ${RESULTS}`);
  log(`class times of every run kept in ${KEEP} (node scripts/ship-timings.mjs ${KEEP})`);
}

try {
  await main();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await cleanUp().catch(() => undefined);
  process.exitCode = 1;
}
