// Derives the bundled guideline data (src/guidelines/data/*.json) from interop guideline files
// (schema 2.0). Only facts are kept: ids, statuses, test names, idempotent ids, aliases, flags;
// the files' prose (descriptions, flag reasons, scoring criteria) stays out.
//
//   node scripts/derive-guidelines.mjs [DIR]     DIR defaults to ../shared/fixtures/interop
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, '..', 'shared', 'fixtures', 'interop'));
const out = join(root, 'src', 'guidelines', 'data');
const STATUSES = ['required', 'advisory', 'deprecated', 'removed'];
// tcup's targets and the product names the guideline files use for them (as RefStack maps them).
const TARGETS = {
  platform: 'OpenStack Powered Platform',
  compute: 'OpenStack Powered Compute',
  object: 'OpenStack Powered Storage',
  dns: 'DNS',
  orchestration: 'Orchestration',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fail(file, message) {
  throw new Error(`${file}: ${message}`);
}

function uuidOf(file, test, raw) {
  if (raw === undefined) return undefined;
  const bare = String(raw).trim().toLowerCase().replace(/^id-/, '');
  if (!UUID.test(bare)) fail(file, `test ${test} has a malformed idempotent_id ${JSON.stringify(raw)}`);
  return bare;
}

function derive(file, doc) {
  const { metadata } = doc;
  if (metadata?.schema !== '2.0') fail(file, `schema ${metadata?.schema} is not 2.0`);
  const kind = doc['add-ons'] ? 'add-on' : 'core';
  const products = doc['add-ons'] ?? doc.platforms;
  if (!products) fail(file, 'has neither platforms nor add-ons');

  const testRepositories = {};
  for (const [key, repo] of Object.entries(doc.test_repositories ?? {})) {
    testRepositories[key] = { repository: repo.repository, reference: repo.reference };
  }
  const platforms = {};
  for (const [name, product] of Object.entries(products)) {
    platforms[name] = { components: product.components.map((c) => c.name) };
    const required = product.required_platform_components;
    if (required) platforms[name].requiredPlatformComponents = required.map((c) => c.name);
  }
  const components = {};
  for (const [name, component] of Object.entries(doc.components)) {
    components[name] = Object.fromEntries(STATUSES.map((s) => [s, component.capabilities?.[s] ?? []]));
  }
  const capabilities = {};
  for (const [id, capability] of Object.entries(doc.capabilities)) {
    capabilities[id] = {
      tests: Object.entries(capability.tests ?? {}).map(([name, test]) => {
        const uuid = uuidOf(file, name, test.idempotent_id);
        return {
          name,
          ...(uuid ? { uuid } : {}),
          aliases: test.aliases ?? [],
          flagged: test.flagged !== undefined && test.flagged !== false,
        };
      }),
    };
  }
  const status = metadata.os_trademark_approval?.status;
  return {
    id: metadata.id,
    schema: metadata.schema,
    kind,
    ...(status ? { status } : {}),
    testRepositories,
    platforms,
    components,
    capabilities,
  };
}

// One line per test and per short list: diffs between versions stay readable.
function format(guideline) {
  const j = (v) => JSON.stringify(v);
  const lines = ['{'];
  for (const key of ['id', 'schema', 'kind', 'status']) {
    if (guideline[key] !== undefined) lines.push(`  ${j(key)}: ${j(guideline[key])},`);
  }
  const block = (key, entries, last = false) => {
    lines.push(`  ${j(key)}: {`);
    entries.forEach(([k, v], i) => lines.push(`    ${j(k)}: ${j(v)}${i < entries.length - 1 ? ',' : ''}`));
    lines.push(`  }${last ? '' : ','}`);
  };
  block('testRepositories', Object.entries(guideline.testRepositories));
  block('platforms', Object.entries(guideline.platforms));
  lines.push('  "components": {');
  const comps = Object.entries(guideline.components);
  comps.forEach(([name, byStatus], i) => {
    lines.push(`    ${j(name)}: {`);
    STATUSES.forEach((s, k) => {
      const ids = byStatus[s];
      const end = k < STATUSES.length - 1 ? ',' : '';
      if (ids.length === 0) lines.push(`      ${j(s)}: []${end}`);
      else
        lines.push(
          `      ${j(s)}: [`,
          ...ids.map((id, n) => `        ${j(id)}${n < ids.length - 1 ? ',' : ''}`),
          `      ]${end}`,
        );
    });
    lines.push(`    }${i < comps.length - 1 ? ',' : ''}`);
  });
  lines.push('  },');
  lines.push('  "capabilities": {');
  const caps = Object.entries(guideline.capabilities);
  caps.forEach(([id, cap], i) => {
    lines.push(`    ${j(id)}: {`, '      "tests": [');
    cap.tests.forEach((t, k) => lines.push(`        ${j(t)}${k < cap.tests.length - 1 ? ',' : ''}`));
    lines.push('      ]', `    }${i < caps.length - 1 ? ',' : ''}`);
  });
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

function targetsOf(guideline) {
  return Object.entries(TARGETS)
    .filter(([, product]) => guideline.platforms[product])
    .map(([target]) => target);
}

const files = readdirSync(source)
  .filter((f) => f.endsWith('.json'))
  .sort();
if (files.length === 0) throw new Error(`no guideline files in ${source}`);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const versions = [];
for (const file of files) {
  const guideline = derive(file, JSON.parse(readFileSync(join(source, file), 'utf8')));
  const targets = targetsOf(guideline);
  if (targets.length === 0) fail(file, `offers none of the targets ${Object.keys(TARGETS).join(', ')}`);
  writeFileSync(join(out, `${guideline.id}.json`), format(guideline));
  versions.push({ id: guideline.id, kind: guideline.kind, status: guideline.status ?? null, targets });
  console.log(
    `${guideline.id}: ${Object.keys(guideline.capabilities).length} capabilities, targets ${targets.join(', ')}`,
  );
}
const index = ['{', '  "versions": ['];
versions.forEach((v, i) => index.push(`    ${JSON.stringify(v)}${i < versions.length - 1 ? ',' : ''}`));
index.push('  ]', '}');
writeFileSync(join(out, 'index.json'), index.join('\n') + '\n');

// The imports a bundler follows to embed the data.
const ident = (id) => 'g_' + id.replace(/[^A-Za-z0-9]/g, '_');
const ts = [
  '// Generated by scripts/derive-guidelines.mjs: do not edit.',
  "import type { GuidelineData, GuidelineIndex } from '../model.js';",
  "import index from './index.json' with { type: 'json' };",
  ...versions.map((v) => `import ${ident(v.id)} from './${v.id}.json' with { type: 'json' };`),
  '',
  '/** The bundled versions, their kind, approval status and targets. */',
  'export const INDEX = index as GuidelineIndex;',
  '',
  '/** The bundled guidelines by version id. */',
  'export const BUNDLED: Readonly<Record<string, GuidelineData>> = {',
  ...versions.map((v) => `  '${v.id}': ${ident(v.id)} as GuidelineData,`),
  '};',
  '',
];
writeFileSync(join(out, 'index.ts'), ts.join('\n'));
console.log(`wrote ${versions.length} guidelines to ${out}`);
