/** bench/results.md: the table, the machine and its load, and every sample behind each figure. */
import { writeFileSync } from 'node:fs';
import { ADDON_PLUGINS, megabytes, type PluginImage } from './image-size.js';
import type { ThroughputResult } from './redactor-throughput.js';
import { markdownTable, seconds, type Row } from './report.js';
import type { StartupResult } from './startup.js';
import type { WarmRuns } from './warm-runs.js';
import { bareDockerArgs, TEMPESTCONF } from './bare-run.js';
import type { ColdRun } from './cold-run.js';
import { HARNESS, STORAGE_ARGS, type StorageRuns, type TcupStorageRun } from './storage-runs.js';
import { median } from './timed-process.js';

export interface Details {
  warm: WarmRuns;
  storage: StorageRuns;
  cold: ColdRun;
  /** Where the runs' class times were kept. */
  keep: string;
  help: StartupResult;
  bareNode: StartupResult;
  redactor: ThroughputResult;
  coreBytes: number;
  plugin: PluginImage;
  leftovers: number;
  machine: { cpus: number; cpu: string; memBytes: number; loadavg: number[] };
  loadBefore: string;
  loadAfter: string;
}

const list = (values: number[]) => values.map((ms) => (ms / 1000).toFixed(2)).join(', ');
const med = (values: (number | undefined)[]) =>
  (median(values.map((v) => v ?? Number.NaN)) / 1000).toFixed(2);

function storageSection(st: StorageRuns, cold: ColdRun): string {
  const t = st.tcup;
  const phase = (r: TcupStorageRun) => (r.times.spanMs / r.idealMs).toFixed(2);
  const tcupRest = t.map(
    (r) =>
      r.run.wallMs -
      (r.beforeScheduleMs ?? 0) -
      (r.tempestconfMs ?? 0) -
      r.times.spanMs -
      (r.afterLastMs ?? 0),
  );
  const bareRest = st.bare.map((b) => b.run.wallMs - b.configMs - b.listMs - b.runMs);
  return `## Storage target

- Guideline 2020.06 \`--target object\` (${st.tests} tests, concurrency 2) against a Keystone 27 + Swift 2.35
  bed (Debian 13, 2025.1) on loopback, image \`${st.image}\` (Tempest 43) already built.
- tcup: \`node tcup.cjs ${STORAGE_ARGS.join(' ')} -o DIR\` (4 members and 2 reseller admins), HOME = the
  bench's folder, so its timings cache is this bench's: the untimed first run planned with the shipped
  defaults (\`${st.first.planLine ?? '?'}\`), the timed runs with the times measured here.
- bare: \`docker run --rm --network host -v ${HARNESS}:/harness:ro -v OUT:/out --entrypoint /bin/sh IMAGE
  /harness/run-tempest.sh /harness/interop-storage.txt /out\`: the test bed's reference script in the same
  image (empties the accounts, python-tempestconf, \`tempest run --list-tests\`, \`tempest run --load-list\`
  with stestr's own partition, subunit-trace, a leftover check); it must report 58 passed.
- wall times in run order: ${st.sequence.map((s) => `${s.kind}=${(s.wallMs / 1000).toFixed(2)}`).join(', ')} (s)
- run phase (first test start → last test end) / ideal (max(longest class, total / 2) of the same run's class
  times): ${t.map((r) => `${phase(r)} (${(r.times.spanMs / 1000).toFixed(2)} / ${(r.idealMs / 1000).toFixed(2)} s)`).join(', ')};
  first run, shipped defaults: ${phase(st.first)} (${(st.first.times.spanMs / 1000).toFixed(2)} / ${(st.first.idealMs / 1000).toFixed(2)} s)
- where tcup's time goes (medians, s): before the schedule line (credentials, 6 accounts checked with Keystone,
  version probe, image check, listing) ${med(t.map((r) => r.beforeScheduleMs))}; schedule → "tempest.conf generated"
  (container start, request, python-tempestconf, which says ${med(t.map((r) => r.tempestconfSaysMs))}) ${med(t.map((r) => r.tempestconfMs))};
  the run phase ${med(t.map((r) => r.times.spanMs))}; stestr start-up and the gaps around it ${med(tcupRest)};
  last result → exit (verdict, results folder, container removal) ${med(t.map((r) => r.afterLastMs))};
  start → first result ${med(t.map((r) => r.firstResultMs))}.
- where the bare run's time goes (medians, s, from run-tempest.sh's own line): python-tempestconf
  ${med(st.bare.map((b) => b.configMs))}, listing ${med(st.bare.map((b) => b.listMs))}, \`tempest run\` ${med(st.bare.map((b) => b.runMs))},
  the rest (container start, emptying the accounts, subunit-trace, the leftover check) ${med(bareRest)}.

## Cold first run

- The storage target as above with a copy of the single file whose embedded recipe has one
  \`LABEL tcup.bench.cold=<random>\` after FROM: a new content hash, no cached layer above the base image
  (\`debian:trixie-slim\`, present as after a first pull); the throwaway image was removed afterwards.
- command → verdict ${(cold.run.wallMs / 1000).toFixed(1)} s wall (verdict line at ${((cold.verdictMs ?? Number.NaN) / 1000).toFixed(1)} s);
  "preparing" → "built" ${((cold.buildMs ?? Number.NaN) / 1000).toFixed(1)} s.
- what the first run said while it waited: \`${cold.waitingLine ?? '(no building line)'}\`
- build steps, from the image's layer history (1 s resolution):
${cold.steps
  .filter((x) => x.seconds >= 1 || x.step.startsWith('(no steps'))
  .map((x) => `  - ${x.seconds.toFixed(0)} s: \`${x.step.replace(/`/g, "'")}\``)
  .join('\n')}
`;
}

export function writeResults(path: string, rows: readonly Row[], d: Details): void {
  const { warm } = d;
  const text = `# tcup benchmarks

Measured by \`npm run bench\` in one run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.

${markdownTable(rows)}

## Machine

- ${d.machine.cpus} CPUs (${d.machine.cpu}), ${(d.machine.memBytes / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}
- load before: \`${d.loadBefore}\`
- load after: \`${d.loadAfter}\`
- Other agents ran Docker tests on the same engine during this run, so the wall times carry their noise;
  tcup and the bare run were alternated (order ${warm.sequence.map((s) => s.kind).join(' ')}) so both saw it alike.

${storageSection(d.storage, d.cold)}
## Warm identity run

- Guideline 2020.06, \`--capability 'identity-*'\`: ${warm.tests.length} tests, concurrency 1, against a Keystone
  test bed container (host network), image \`${warm.image}\` already built (one untimed warm-up of each first).
- tcup: \`node tcup.cjs --guideline 2020.06 --capability 'identity-*' -o DIR\`, environment = openrc (OS_*) +
  PATH + HOME, stdin closed, stderr a pipe (non-TTY). Includes credentials, Keystone preflight, guideline
  selection, image check, test listing, the run, copy-out and writing the results folder.
- bare: \`docker ${bareDockerArgs('IMAGE', 'NAME', { 'tcup.test': '1', 'tcup.test.session': 'ID' }).join(' ')}\`, stdin = the same request
  (mode run, cloud, 1 account with token roles [${warm.roles.join(', ')}], tempestconf
  ${JSON.stringify(TEMPESTCONF)}, the same ${warm.tests.length} test ids from tcup's load-list.txt, concurrency 1),
  then EOF.
- wall times in run order: ${warm.sequence.map((s) => `${s.kind}=${(s.wallMs / 1000).toFixed(2)}`).join(', ')} (s)
- tcup wall (s): ${list(warm.tcup.map((r) => r.run.wallMs))}; bare wall (s): ${list(warm.bare.map((r) => r.run.wallMs))}
- tcup start → first \`[1/N]\` line (s): ${list(warm.tcup.map((r) => r.firstResultMs ?? Number.NaN))}
- image work, "preparing the Tempest image" → "reusing" (s): ${list(warm.tcup.map((r) => r.imageWorkMs ?? Number.NaN))};
  then reading the installed test list from the image ("reusing" → next line, s): ${list(warm.tcup.map((r) => r.listingMs ?? Number.NaN))};
  "reusing ${warm.image}" in ${warm.tcup.filter((r) => r.reusedTag === warm.image).length} of ${warm.tcup.length} runs, built in ${warm.tcup.filter((r) => r.built).length}.
- run phase / ideal (1 worker: the sum of the class times): ${warm.runPhase.map((r) => (r.spanMs / r.idealMs).toFixed(2)).join(', ')}

Class times of every run were kept in \`${d.keep}\` as timings cache files; \`node scripts/ship-timings.mjs\`
merges them into the shipped defaults (src/tempest/data/timings.json).

## Start-up

- \`node tcup.cjs --help\` (s): ${list(d.help.samplesMs)}; median ${seconds(d.help.medianMs)}
- \`node -e 0\` for reference (s): ${list(d.bareNode.samplesMs)}; median ${seconds(d.bareNode.medianMs)}

## Redactor

- ${(d.redactor.inputBytes / 1e6).toFixed(1)} MB of generated Tempest-style log lines (rest_client request,
  header and body lines; 1 line in 200 with non-ASCII text), ${d.redactor.secretsPlanted} occurrences of 5 secrets
  in their logged forms (raw, JSON-escaped, URL-encoded, base64…), fed to \`Redactor.createRedactingStream()\` in
  64 KiB chunks; pass times (s): ${list(d.redactor.passes)}; ${d.redactor.redactions} redactions, ${d.redactor.leaks} secret forms left.

## Images

- core \`${warm.image}\`: ${megabytes(d.coreBytes)}
- \`${d.plugin.tag}\` (${ADDON_PLUGINS.join(', ')}): ${megabytes(d.plugin.bytes)}, ${d.plugin.built ? `built in ${seconds(d.plugin.buildMs)}` : 'already present'}

Bench containers still present at clean-up (then removed): ${d.leftovers}.
`;
  writeFileSync(path, text);
}
