// `npm test`: the fast lane (unit tests, and the e2e files that need no container engine), then every
// image the engine lane needs (built unless its content-hash tag exists), then the engine lane
// (integration and e2e on the real engine and the test beds): the few files that must run alone
// (ALONE_LANE), then two vitest processes at the same time: the compute lane (COMPUTE_LANE) beside the rest. Stops at the first phase that fails (both engine
// lanes run to their end), and ends with a table of where the time went: each phase, and each test
// file's seconds.
//
//   npm test                 all of it
//   npm test -- fast         the fast lane alone (no engine needed)
//   npm test -- engine       images and the engine lanes
//   npm test -- lanes        prints which engine file runs in which lane (JSON), runs nothing
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The engine files that run in a vitest process of their own, beside the rest of the engine lane. The
 * compute e2e spends most of its 20 minutes waiting on the compute cloud (Tempest sleeps 10 s before
 * each subnet delete), which costs the rest of the lane nothing; one at a time, it was half of the
 * engine lane's wall clock. Its checks, and those of the files beside it, count only what each file
 * started (test/support/launcher.ts trackedLaunches); the beds both share through one registry.
 */
const COMPUTE_LANE = ['test/e2e/compute.test.ts'];
/**
 * The engine files that run first, with nothing beside them: they leave a container of a launcher that is
 * gone, on purpose, and then check what tcup does with it; but every tcup run removes such containers as
 * it starts, so a run of the other lane starting in that window took it first (seen in CI).
 */
const ALONE_LANE = [
  'test/integration/cleanup.test.ts',
  'test/e2e/cleanup.test.ts',
  'test/e2e/run-identity.test.ts',
];
const ENGINE_PROJECTS = ['integration', 'e2e'];

const root = join(import.meta.dirname, '..');
const only = process.argv[2];
const phases = [];
const files = [];

/** The engine files, as vitest finds them (it globs only: no set-up runs, no engine needed). */
function engineFiles() {
  const out = execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'list',
      '--filesOnly',
      '--json',
      ...ENGINE_PROJECTS.flatMap((p) => ['--project', p]),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return JSON.parse(out).map((f) => relative(root, f.file));
}

/** The engine lanes' files; throws when a listed file is not an engine file (renamed, say). */
function lanes() {
  const all = engineFiles();
  const missing = [...ALONE_LANE, ...COMPUTE_LANE].filter((f) => !all.includes(f));
  if (missing.length > 0)
    throw new Error(`scripts/test.mjs ALONE_LANE/COMPUTE_LANE: no engine file ${missing.join(', ')}`);
  return {
    alone: ALONE_LANE,
    compute: COMPUTE_LANE,
    engine: all.filter((f) => !COMPUTE_LANE.includes(f) && !ALONE_LANE.includes(f)),
  };
}

if (only === 'lanes') {
  console.log(JSON.stringify(lanes(), null, 2));
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'tcup-test-times-'));
const children = new Set();

/** Runs a command; with a prefix, each line of its output carries it (two lanes share the terminal). */
function run(command, args, prefix, extraEnv = {}) {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      ...(prefix && process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
      ...extraEnv,
    };
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: prefix ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    children.add(child);
    if (prefix)
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ])
        createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) =>
          to.write(`${prefix} ${line}\n`),
        );
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function phase(name, command, args, { json, lane, prefix, env } = {}) {
  const t = Date.now();
  const code = await run(command, args, prefix, env);
  phases.push({ name, seconds: (Date.now() - t) / 1000, code });
  if (json && existsSync(json))
    for (const f of JSON.parse(readFileSync(json, 'utf8')))
      files.push({ name: relative(root, f.name), lane, seconds: f.seconds, status: f.status });
  return code;
}

/** One vitest process: the projects, and the files when given (all of the projects' otherwise). */
function vitest(name, projects, testFiles = [], prefix) {
  const json = join(work, `${name}.json`);
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...testFiles];
  args.push('--reporter=default', `--reporter=${join(root, 'scripts/file-times.mjs')}`);
  return phase(`${name} lane (${projects.join(', ')})`, 'npx', args, {
    json,
    lane: name,
    prefix,
    env: { TCUP_FILE_TIMES: json },
  });
}

/**
 * The run's bed registry, opened here so that both engine lanes share it: the same variables and users
 * counter as test/support/global-setup.ts openBedRegistry (whose names it repeats: this is .mjs, that is
 * TypeScript), inherited by both vitest processes. Holding one use here, neither process's last teardown
 * removes the beds; the returned closing does, once both have ended.
 */
function openBedRegistry() {
  process.env.TCUP_TEST_BEDS_DIR ??= mkdtempSync(join(tmpdir(), 'tcup-beds-'));
  process.env.TCUP_TEST_BEDS_RUN ??= randomUUID();
  process.env.TCUP_TEST_BEDS_USERS = String(Number(process.env.TCUP_TEST_BEDS_USERS ?? '0') + 1);
  return () => {
    const left = Number(process.env.TCUP_TEST_BEDS_USERS) - 1;
    process.env.TCUP_TEST_BEDS_USERS = String(left);
    if (left > 0) return;
    removeBeds(process.env.TCUP_TEST_BEDS_RUN);
    rmSync(process.env.TCUP_TEST_BEDS_DIR, { recursive: true, force: true });
  };
}

/** Every container labelled with the run's id (beds.ts LABEL_BEDS_RUN), with its volumes; paused ones thawed first. */
function removeBeds(run) {
  const docker = (...args) =>
    execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let found;
  try {
    found = docker(
      'ps',
      '-a',
      '--no-trunc',
      '--filter',
      `label=tcup.test.beds=${run}`,
      '--format',
      '{{.ID}} {{.State}}',
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '));
  } catch {
    return; // no engine: nothing was started
  }
  for (const [id, state] of found)
    if (state === 'paused')
      try {
        docker('unpause', id);
      } catch {
        /* thawed or gone meanwhile */
      }
  if (found.length === 0) return;
  try {
    docker('rm', '-f', '-v', ...found.map(([id]) => id));
  } catch {
    /* gone meanwhile */
  }
}

/**
 * The files that must run alone, then the compute lane and the rest of the engine lane at the same time;
 * non-zero when any fails (the two lanes run even when the first failed: their table still tells).
 */
async function engineLanes() {
  const { alone, compute, engine } = lanes();
  const close = openBedRegistry();
  try {
    const first = await vitest('alone', ENGINE_PROJECTS, alone, '[alone]  ');
    const t = Date.now();
    const codes = await Promise.all([
      vitest('engine', ENGINE_PROJECTS, engine, '[engine] '),
      vitest('compute', ['e2e'], compute, '[compute]'),
    ]);
    const code = [first, ...codes].find((c) => c !== 0) ?? 0;
    phases.push({ name: 'both engine lanes, at the same time', seconds: (Date.now() - t) / 1000, code });
    return code;
  } finally {
    close();
  }
}

function table() {
  const fmt = (s) => `${Math.round(s)} s`.padStart(7);
  const lines = ['', 'Where the time went (npm test):'];
  for (const p of phases)
    lines.push(`  ${fmt(p.seconds)}  ${p.name}${p.code === 0 ? '' : `  (exit ${p.code})`}`);
  lines.push('  each test file, slowest first:');
  for (const f of files.sort((a, b) => b.seconds - a.seconds))
    lines.push(
      `  ${fmt(f.seconds)}  ${`[${f.lane}]`.padEnd(9)} ${f.name}${f.status === 'passed' ? '' : `  (${f.status})`}`,
    );
  const images = join(work, 'images.json');
  if (existsSync(images)) {
    lines.push('  each image (two built at a time):');
    for (const i of JSON.parse(readFileSync(images, 'utf8')))
      lines.push(`  ${fmt(i.seconds)}  ${i.name}${i.error ? '  (failed)' : ''}`);
  }
  console.log(lines.join('\n'));
}

// Ctrl-C or a SIGTERM reaches the lanes (from the terminal, or from here); the beds still go at the end.
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    interrupted ??= signal;
    for (const child of children) child.kill(signal);
  });

let code = 0;
try {
  if (only !== 'engine') code = await vitest('fast', ['unit', 'fast']);
  if (code === 0 && only !== 'fast') {
    const json = join(work, 'images.json');
    code = await phase('images', 'npx', ['tsx', 'test/support/build-images.ts', '--json', json]);
    if (code === 0 && !interrupted) code = await engineLanes();
  }
} finally {
  table();
  rmSync(work, { recursive: true, force: true });
}
process.exit(interrupted ? (interrupted === 'SIGINT' ? 130 : 143) : code);
