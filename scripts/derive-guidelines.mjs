// Derives the bundled guideline data (src/guidelines/data/*.json) from interop guideline files
// (schema 2.0). Only facts are kept: ids, statuses, test names, idempotent ids, aliases, flags;
// the files' prose (descriptions, flag reasons, scoring criteria) stays out.
// Also bundles the test lists of standards that are plain lists (SCS-0128), verbatim and with their
// attribution (STANDARDS below).
//
//   node scripts/derive-guidelines.mjs [DIR [SCS_DIR]]
//     DIR defaults to ../shared/fixtures/interop, SCS_DIR to ../shared/fixtures/scs
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = resolve(process.argv[2] ?? join(root, '..', 'shared', 'fixtures', 'interop'));
const scsSource = resolve(process.argv[3] ?? join(root, '..', 'shared', 'fixtures', 'scs'));
const out = join(root, 'src', 'guidelines', 'data');
// Standards that are a plain list of Tempest tests with a rule. The facts of each come from the
// standard's repository; the list is bundled verbatim under its licence (CC BY-SA 4.0 asks for the
// attribution, which travels in the data file and so in dist/tcup.cjs).
const STANDARDS = [
  {
    id: 'scs-0128',
    file: 'scs-0128-v1-tempest-tests-non-admin.lst',
    name: 'SCS-0128',
    version: 'v1',
    title: 'SCS end-to-end testing',
    status: 'Draft',
    rule: 'no-failed-tests',
    ruleText: 'Tempest MUST NOT report any failed test case (skips are not failures)',
    successorOf: 'OpenStack Powered Compute (OpenInfra interop programme, retired September 2025)',
    derivedFrom:
      'interop guideline 2022.11 (openinfra/interop commit 2a71585700b4), without the tests that need ' +
      'admin rights and without IdentityV3UsersTest.test_user_account_lockout',
    source: {
      repository: 'https://github.com/SovereignCloudStack/standards',
      path: 'Tests/iaas/scs_0128_e2e_testing/tempest-tests-non-admin.lst',
      commit: 'ab4be81c7eb99b152f585c5b4e6b2d7ecf8d4fa7',
      date: '2026-08-06',
      standard: 'Standards/scs-0128-v1-e2e-testing.md',
    },
    licence: {
      name: 'CC BY-SA 4.0',
      url: 'https://creativecommons.org/licenses/by-sa/4.0/',
      attribution:
        'the test list of SCS-0128 v1 is by the Sovereign Cloud Stack project ' +
        '(SovereignCloudStack/standards), licensed under CC BY-SA 4.0, and bundled unchanged',
    },
  },
];
const TEST_LINE = /^[A-Za-z_][\w.:-]*(\[[^\]\s]*\])?$/;
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
// The standards: the list's lines verbatim (blank lines and comments dropped), one per line.
for (const standard of STANDARDS) {
  const file = join(scsSource, standard.file);
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const bad = lines.find((l) => !TEST_LINE.test(l));
  if (bad !== undefined) fail(standard.file, `not a test id: ${JSON.stringify(bad)}`);
  if (new Set(lines).size !== lines.length) fail(standard.file, 'lists a test twice');
  const { file: _file, ...facts } = standard;
  const j = (v) => JSON.stringify(v);
  const text = [
    '{',
    ...Object.entries(facts).map(([k, v]) => `  ${j(k)}: ${j(v)},`),
    `  "sourceFile": ${j(standard.file)},`,
    '  "tests": [',
    ...lines.map((l, i) => `    ${j(l)}${i < lines.length - 1 ? ',' : ''}`),
    '  ]',
    '}',
  ];
  writeFileSync(join(out, `${standard.id}.json`), text.join('\n') + '\n');
  console.log(`${standard.id}: ${lines.length} tests from ${file}`);
}

const index = ['{', '  "versions": ['];
versions.forEach((v, i) => index.push(`    ${JSON.stringify(v)}${i < versions.length - 1 ? ',' : ''}`));
index.push('  ],', '  "standards": [');
STANDARDS.forEach((s, i) => index.push(`    ${JSON.stringify(s.id)}${i < STANDARDS.length - 1 ? ',' : ''}`));
index.push('  ]', '}');
writeFileSync(join(out, 'index.json'), index.join('\n') + '\n');

// The imports a bundler follows to embed the data.
const ident = (id) => 'g_' + id.replace(/[^A-Za-z0-9]/g, '_');
const ts = [
  '// Generated by scripts/derive-guidelines.mjs: do not edit.',
  "import type { GuidelineData, GuidelineIndex, StandardData } from '../model.js';",
  "import index from './index.json' with { type: 'json' };",
  ...versions.map((v) => `import ${ident(v.id)} from './${v.id}.json' with { type: 'json' };`),
  ...STANDARDS.map((s) => `import ${ident(s.id)} from './${s.id}.json' with { type: 'json' };`),
  '',
  '/** The bundled versions, their kind, approval status and targets. */',
  'export const INDEX = index as GuidelineIndex;',
  '',
  '/** The bundled guidelines by version id. */',
  'export const BUNDLED: Readonly<Record<string, GuidelineData>> = {',
  ...versions.map((v) => `  '${v.id}': ${ident(v.id)} as GuidelineData,`),
  '};',
  '',
  '/** The bundled standards that are plain test lists (with their source and licence), by target. */',
  'export const STANDARDS: Readonly<Record<string, StandardData>> = {',
  ...STANDARDS.map((s) => `  '${s.id}': ${ident(s.id)} as StandardData,`),
  '};',
  '',
];
writeFileSync(join(out, 'index.ts'), ts.join('\n'));
console.log(`wrote ${versions.length} guidelines and ${STANDARDS.length} standard(s) to ${out}`);
