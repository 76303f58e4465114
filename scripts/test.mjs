// `npm test`: the fast lane (unit tests, and the e2e files that need no container engine), then every
// image the engine lane needs (built unless its content-hash tag exists), then the engine lane
// (integration and e2e on the real engine and the test beds). Stops at the first lane that fails, and
// ends with a table of where the time went: each phase, and each test file's seconds.
//
//   npm test                 all of it
//   npm test -- fast         the fast lane alone (no engine needed)
//   npm test -- engine       images and the engine lane
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'tcup-test-times-'));
const only = process.argv[2];
const phases = [];
const files = [];

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function phase(name, command, args, json) {
  const t = Date.now();
  const code = await run(command, args);
  phases.push({ name, seconds: (Date.now() - t) / 1000, code });
  if (json && existsSync(json)) {
    const report = JSON.parse(readFileSync(json, 'utf8'));
    for (const r of report.testResults ?? [])
      files.push({
        name: relative(root, r.name),
        seconds: (r.endTime - r.startTime) / 1000,
        status: r.status,
      });
  }
  return code;
}

function vitest(name, projects) {
  const json = join(work, `${name}.json`);
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p])];
  args.push('--reporter=default', '--reporter=json', `--outputFile.json=${json}`);
  return phase(`${name} lane (${projects.join(', ')})`, 'npx', args, json);
}

function table() {
  const fmt = (s) => `${Math.round(s)} s`.padStart(7);
  const lines = ['', 'Where the time went (npm test):'];
  for (const p of phases)
    lines.push(`  ${fmt(p.seconds)}  ${p.name}${p.code === 0 ? '' : `  (exit ${p.code})`}`);
  lines.push('  each test file, slowest first:');
  for (const f of files.sort((a, b) => b.seconds - a.seconds))
    lines.push(`  ${fmt(f.seconds)}  ${f.name}${f.status === 'passed' ? '' : `  (${f.status})`}`);
  const images = join(work, 'images.json');
  if (existsSync(images)) {
    lines.push('  each image (two built at a time):');
    for (const i of JSON.parse(readFileSync(images, 'utf8')))
      lines.push(`  ${fmt(i.seconds)}  ${i.name}${i.error ? '  (failed)' : ''}`);
  }
  console.log(lines.join('\n'));
}

let code = 0;
try {
  if (only !== 'engine') code = await vitest('fast', ['unit', 'fast']);
  if (code === 0 && only !== 'fast') {
    const json = join(work, 'images.json');
    code = await phase('images', 'npx', ['tsx', 'test/support/build-images.ts', '--json', json]);
    if (code === 0) code = await vitest('engine', ['integration', 'e2e']);
  }
} finally {
  table();
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
