/** bench/results.md: the table, the machine and its load, and every sample behind each figure. */
import { writeFileSync } from 'node:fs';
import { ADDON_PLUGINS, megabytes, type PluginImage } from './image-size.js';
import type { ThroughputResult } from './redactor-throughput.js';
import { markdownTable, seconds, type Row } from './report.js';
import type { StartupResult } from './startup.js';
import type { WarmRuns } from './warm-runs.js';
import { bareDockerArgs, TEMPESTCONF } from './bare-run.js';

export interface Details {
  warm: WarmRuns;
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

## 1-3. Warm identity run

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

## 4. Start-up

- \`node tcup.cjs --help\` (s): ${list(d.help.samplesMs)}; median ${seconds(d.help.medianMs)}
- \`node -e 0\` for reference (s): ${list(d.bareNode.samplesMs)}; median ${seconds(d.bareNode.medianMs)}

## 5. Redactor

- ${(d.redactor.inputBytes / 1e6).toFixed(1)} MB of generated Tempest-style log lines (rest_client request,
  header and body lines; 1 line in 200 with non-ASCII text), ${d.redactor.secretsPlanted} occurrences of 5 secrets
  in their logged forms (raw, JSON-escaped, URL-encoded, base64…), fed to \`Redactor.createRedactingStream()\` in
  64 KiB chunks; pass times (s): ${list(d.redactor.passes)}; ${d.redactor.redactions} redactions, ${d.redactor.leaks} secret forms left.

## 6. Images

- core \`${warm.image}\`: ${megabytes(d.coreBytes)}
- \`${d.plugin.tag}\` (${ADDON_PLUGINS.join(', ')}): ${megabytes(d.plugin.bytes)}, ${d.plugin.built ? `built in ${seconds(d.plugin.buildMs)}` : 'already present'}

Bench containers still present at clean-up (then removed): ${d.leftovers}.
`;
  writeFileSync(path, text);
}
