/** report.html and comparisons: the model from a folder's files, the page, its size, and its safety. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, formsOf } from '../../src/redaction/redactor.js';
import { compareRuns, formatComparisonText, renderComparison } from '../../src/report/compare.js';
import {
  computeStandardVerdict,
  describeRule,
  formatStandardAnswer,
  loadStandard,
  standardSummaryJson,
} from '../../src/guidelines/standard.js';
import { esc } from '../../src/report/html-kit.js';
import { MAX_TRACEBACK_CHARS, renderFolderReport, renderReport } from '../../src/report/html.js';
import {
  buildReportModel,
  formatDuration,
  STATE_OF,
  type ReportModel,
  type State,
} from '../../src/report/model.js';
import { writeResultsFolder } from '../../src/results/folder.js';
import { parseJunitFailures, readResultsFolder } from '../../src/results/read-folder.js';
import type { TestResult, TestStatus } from '../../src/results/tests.js';
import { createProgress } from '../../src/tempest/progress.js';
import { writeFixtureFolder, type FixtureOptions } from '../support/report-fixture.js';

const CONTAINER_FAIL = 'test_create_container';
const SKIP_REASON = 'Insufficient number of users provided. tempest_roles: member';

/** Everything that could make a page load something: the page must have none of it. */
const EXTERNAL = [
  /<script/i,
  /\ssrc\s*=/i,
  /<link/i,
  /@import/i,
  /url\(/i,
  /https?:\/\//i,
  /\shref\s*=\s*["']?(?!#)/i,
];

describe('report.html of a results folder', () => {
  it('is written by the results-folder writer, verdict first, with every section in order', async () => {
    const f = await writeFixtureFolder({
      fail: [CONTAINER_FAIL],
      skip: [
        { match: 'test_container_quotas.ContainerQuotasTest.test_upload_large_object', reason: SKIP_REASON },
      ],
      notInstalled: ['tempest.api.object_storage.test_object_services.ObjectTest.test_gone_away'],
    });
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    const at = (text: string) => {
      const i = html.indexOf(text);
      expect(i, text).toBeGreaterThan(0);
      return i;
    };
    const order = [
      'id="verdict"',
      'id="verdict-word">NOT compliant',
      'Rule: A capability passes',
      'class="capabilities"',
      'Failed tests',
      'Skipped and not run',
      'Not in the installed Tempest',
      'Slowest tests',
      'The run',
    ].map(at);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain('OpenStack Powered Storage 2020.06');
    expect(html).toContain('data-compliant="false"');
    // The traceback from junit.xml, not only the first line.
    expect(html).toContain('Traceback (most recent call last):');
    expect(html).toContain('rest_client.py&quot;, line 979');
    expect(html).toContain(esc(SKIP_REASON));
    for (const fact of ['tcup version', 'image', 'concurrency', 'duration', 'cpid'])
      expect(html).toContain(`data-fact="${fact}"`);
    expect(html).toContain('12 min 34 s');
  });

  it('shows no form of a password that was in a traceback, a reason and the log', async () => {
    const f = await writeFixtureFolder({ fail: [CONTAINER_FAIL] });
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    expect(f.secret).toMatch(/[<&']/);
    for (const form of formsOf(f.secret)) expect(html).not.toContain(form);
    expect(html).toContain('[REDACTED]');
    expect(html).toContain('Unauthorized (HTTP 401)');
  });

  it.each<[string, FixtureOptions]>([
    ['a guideline', { fail: [CONTAINER_FAIL] }],
    ['SCS-0128', { standard: 'scs-0128', notInstalled: [IMAGES_TEST] }],
  ])(
    'loads nothing (%s): no script, no external resource, a policy that forbids loading',
    async (_, options) => {
      const f = await writeFixtureFolder(options);
      const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
      for (const pattern of EXTERNAL) expect(html).not.toMatch(pattern);
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
      expect(html).toMatch(/@media print/);
      expect(html).toMatch(/@media \(max-width:40rem\)/);
      expect(html).toContain('name="viewport"');
    },
  );

  it('has real table semantics: caption, column and row headers', async () => {
    const f = await writeFixtureFolder({ fail: [CONTAINER_FAIL] });
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    const tables = html.match(/<table[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const t of tables) {
      expect(t).toMatch(
        /^<table[^>]*><caption>[^<]+<\/caption><thead><tr>(<th scope="col"[^>]*>[^<]*<\/th>)+<\/tr><\/thead>/,
      );
      const rows = t.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr[^>]*>/g) ?? [];
      const rowHeaders = t.match(/<tr[^>]*><th scope="row">/g) ?? [];
      expect(rowHeaders.length).toBe(rows.length);
    }
  });

  it('is the same page when regenerated from the folder alone', async () => {
    const f = await writeFixtureFolder({ fail: [CONTAINER_FAIL] });
    const again = createRedactor().redact(renderFolderReport(readResultsFolder(f.dir)));
    expect(again).toBe(readFileSync(join(f.dir, 'report.html'), 'utf8'));
  });

  it('a capability whose class was skipped in setup is "not run"; "missing" is what the Tempest lacks', async () => {
    const quotas = 'tempest.api.object_storage.test_account_quotas';
    const versioned = 'tempest.api.object_storage.test_object_version.ContainerTest.test_versioned_container';
    const f = await writeFixtureFolder({
      classSetup: [
        { class: `${quotas}.AccountQuotasTest`, status: 'skip', reason: 'no reseller admin account' },
        {
          class: `${quotas}_negative.AccountQuotasNegativeTest`,
          status: 'skip',
          reason: 'no reseller admin',
        },
      ],
      notInstalled: [versioned],
    });
    const m = buildReportModel(readResultsFolder(f.dir));
    const row = (id: string) => m.capabilities.find((c) => c.id === id);
    expect(row('objectstore-account-quotas')).toMatchObject({ state: 'not run', notRun: 2, missing: 0 });
    expect(row('objectstore-object-versioned')).toMatchObject({ state: 'missing', notRun: 0, missing: 1 });
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    const tr = (id: string) =>
      new RegExp(`<tr data-capability="${id}"[^>]*>.*?</tr>`, 's').exec(html)?.[0] ?? '';
    expect(tr('objectstore-account-quotas')).toContain('data-status="not run"');
    expect(tr('objectstore-account-quotas')).toContain('<span class="st st-not-run">not run</span>');
    expect(tr('objectstore-object-versioned')).toContain('<span class="st st-missing">missing</span>');
    expect(html).toMatch(/<th scope="col"[^>]*>not run<\/th><th scope="col"[^>]*>missing<\/th>/);
  });

  it('counts in the page are those of summary.json', async () => {
    const f = await writeFixtureFolder({ fail: [CONTAINER_FAIL, 'test_list_container_contents'] });
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    const counts = f.summary.counts as Record<string, number>;
    expect(counts.failed).toBeGreaterThanOrEqual(2);
    for (const key of Object.keys(counts)) expect(html).toContain(`<div data-count="${key}"><dt>`);
    const shown = (key: string) =>
      Number(new RegExp(`data-count="${key}"><dt>[^<]*</dt><dd>(\\d+)</dd>`).exec(html)?.[1]);
    for (const [key, n] of Object.entries(counts)) expect(shown(key), key).toBe(n);
  });
});

// ------------------------------------------------- the verdict of each kind of run, by the real code path
const SCS = loadStandard('scs-0128');
const SERVERS = 'tempest.api.compute.servers.test_create_server.ServersTestJSON';
const ACTIONS = 'tempest.api.compute.servers.test_server_actions.ServerActionsTestJSON';
const IMAGES_TEST = 'tempest.api.image.v2.test_images.ListUserImagesTest.test_list_no_params';
const NOT_INSTALLED_SCS = SCS.tests.find((t) => t.name.startsWith('tempest.api.network.test_ports.'))!.name;
const inClass = (cls: string) => SCS.tests.filter((t) => t.name.startsWith(`${cls}.`)).length;
const NOVA = 'Nova is not available';

interface VerdictCase {
  name: string;
  options: FixtureOptions;
  kind: 'guideline' | 'standard';
  word: string;
  result?: 'compliant' | 'tentative' | 'not-compliant';
  answer: RegExp;
  /** Counts the page shows, beyond those of summary.json that every case checks. */
  counts?: Partial<Record<'tests' | 'passed' | 'failed' | 'skipped' | 'notRun' | 'notInstalled', number>>;
  /** The groups of listed tests without a result: outcome, reason, how many. */
  noResult?: [string, string, number][];
}

const VERDICT_CASES: VerdictCase[] = [
  {
    name: 'a guideline, compliant',
    options: {},
    kind: 'guideline',
    word: 'Compliant',
    answer: /^OpenStack Powered Storage 2020\.06: (\d+) of \1 required capabilities pass$/,
  },
  {
    name: 'a guideline, NOT compliant',
    options: { fail: [CONTAINER_FAIL] },
    kind: 'guideline',
    word: 'NOT compliant',
    answer: /^2020\.06 object required: \d+ of \d+ capabilities pass, NOT compliant: objectstore-container/,
    counts: { failed: 1 },
  },
  {
    name: 'SCS-0128, compliant (a skip is no failure)',
    options: { standard: 'scs-0128', skip: [{ match: IMAGES_TEST, reason: 'image service: v2 only' }] },
    kind: 'standard',
    word: 'Compliant',
    result: 'compliant',
    answer: /^SCS-0128 v1: compliant: no listed test failed \(257 passed, 1 skipped of 258\)$/,
    counts: { tests: 258, passed: 257, skipped: 1, failed: 0, notRun: 0 },
    noResult: [],
  },
  {
    name: 'SCS-0128, NOT compliant (a listed test failed)',
    options: { standard: 'scs-0128', fail: [IMAGES_TEST] },
    kind: 'standard',
    word: 'NOT compliant',
    result: 'not-compliant',
    answer:
      /^SCS-0128 v1: NOT compliant: 1 of 258 listed tests failed: ListUserImagesTest\.test_list_no_params$/,
    counts: { tests: 258, failed: 1 },
    noResult: [],
  },
  {
    name: 'SCS-0128, NOT compliant (a class failed in setUpClass)',
    options: {
      standard: 'scs-0128',
      classSetup: [
        { class: ACTIONS, status: 'fail', reason: 'ServerActionsTestJSON failed because of a quota' },
      ],
    },
    kind: 'standard',
    word: 'NOT compliant',
    result: 'not-compliant',
    answer: new RegExp(`^SCS-0128 v1: NOT compliant: ${inClass(ACTIONS)} of 258 listed tests failed`),
    counts: { tests: 258, failed: inClass(ACTIONS), notRun: 0 },
    noResult: [],
  },
  {
    name: 'SCS-0128, TENTATIVE (classes skipped in setUpClass, a test not in this Tempest)',
    options: {
      standard: 'scs-0128',
      classSetup: [
        { class: SERVERS, status: 'skip', reason: `ServersTestJSON skipped as ${NOVA}` },
        { class: ACTIONS, status: 'skip', reason: `ServerActionsTestJSON skipped as ${NOVA}` },
      ],
      notInstalled: [NOT_INSTALLED_SCS],
    },
    kind: 'standard',
    word: 'TENTATIVE pass',
    result: 'tentative',
    answer: new RegExp(
      `^SCS-0128 v1: TENTATIVE pass: no listed test failed, but ${inClass(SERVERS) + inClass(ACTIONS) + 1} of 258 ` +
        `have no result \\(${inClass(SERVERS) + inClass(ACTIONS)} not run, 1 not in this Tempest\\)`,
    ),
    counts: { tests: 258, failed: 0, notRun: inClass(SERVERS) + inClass(ACTIONS), notInstalled: 1 },
    noResult: [
      ['not run', `its class was skipped in setUpClass: ${NOVA}`, inClass(SERVERS) + inClass(ACTIONS)],
      ['not in this Tempest', 'not in the installed Tempest', 1],
    ],
  },
];

describe('the verdict in report.html, as the run worded it', () => {
  it.each(VERDICT_CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const f = await writeFixtureFolder(c.options);
    const html = readFileSync(join(f.dir, 'report.html'), 'utf8');
    const m = buildReportModel(readResultsFolder(f.dir));
    expect(m.kind).toBe(c.kind);
    expect(m.word).toBe(c.word);
    expect(m.answer).toMatch(c.answer);
    // The page's answer is the line the run printed.
    expect(f.log).toContain(m.answer);
    expect(html).toContain(`<strong id="verdict-word">${esc(c.word)}</strong>`);
    expect(html).toContain(`<p class="answer" id="verdict-answer">${esc(m.answer)}</p>`);
    expect(html).not.toContain('every listed test passed');
    expect(html).toContain(`data-compliant="${c.word !== 'NOT compliant'}"`);

    const shown = (key: string) =>
      Number(new RegExp(`data-count="${key}"><dt>[^<]*</dt><dd>(\\d+)</dd>`).exec(html)?.[1]);
    if (c.kind === 'guideline') {
      expect(html).toContain('Rule: A capability passes');
      expect(html).not.toContain('id="standard-h"');
      for (const [key, n] of Object.entries(f.summary.counts as Record<string, number>))
        expect(shown(key), key).toBe(n);
    } else {
      // The standard, its result and the rule as applied.
      expect(f.summary).toMatchObject({ result: c.result, rule: { id: 'no-failed-tests' } });
      expect(html).toContain(`Rule: ${esc(describeRule(SCS))}`);
      expect(html).toContain(`data-result="${c.result}"`);
      expect(html).toMatch(/<dd data-standard="standard">SCS-0128 v1: [^<]+<\/dd>/);
      expect(html).toContain(`<dd data-standard="applied">${esc(describeRule(SCS))}</dd>`);
      const result = /<dd data-standard="result">([^<]+)<\/dd>/.exec(html)?.[1];
      expect(result).toMatch(
        { compliant: /^compliant/, tentative: /^TENTATIVE pass/, 'not-compliant': /^NOT compliant/ }[
          c.result!
        ],
      );
      expect(html).toContain('<dt>rule (no-failed-tests)</dt>');
      // The counts are the listed tests', as the answer line counts them.
      const listed = f.summary.listed as Record<string, number>;
      expect(shown('tests')).toBe(listed.listed);
      for (const key of ['passed', 'failed', 'skipped', 'notRun', 'notInstalled'])
        expect(shown(key), key).toBe(listed[key]);
      // Why it has no result, grouped by reason, largest group first.
      const rows = [
        ...html.matchAll(/<tr data-outcome="([^"]+)" data-tests="(\d+)"><th scope="row">([^<]*)<\/th>/g),
      ].map((r) => [r[1], r[3], Number(r[2])]);
      expect(rows).toEqual(c.noResult);
      const noResult = (c.noResult ?? []).reduce((n, g) => n + g[2], 0);
      if (c.result === 'tentative')
        expect(html).toContain(`Why TENTATIVE: ${noResult} of 258 listed tests have no result`);
      else expect(html).not.toContain('Why TENTATIVE');
    }
    for (const [key, n] of Object.entries(c.counts ?? {})) expect(shown(key), key).toBe(n);
  });
});

// ------------------------------------------------- xfail and uxsuccess, as the progress counts them
describe('an expected failure passes, an unexpected success fails', () => {
  const XFAIL = 'test_list_container_contents';
  const UXSUCCESS = 'test_delete_container';

  it.each(Object.keys(STATE_OF) as TestStatus[])('%s: the state the progress counts', (status) => {
    const progress = createProgress(1);
    progress.record(status);
    const p = progress.snapshot();
    const expected: State | undefined = p.passed === 1 ? 'pass' : p.failed === 1 ? 'fail' : undefined;
    if (expected) expect(STATE_OF[status]).toBe(expected);
    else expect(['skip', 'not run']).toContain(STATE_OF[status]);
  });

  it.each([
    ['summary.json counts', false],
    ['tests.json alone (no counts in summary.json)', true],
  ])('in the page, from %s', async (_, dropCounts) => {
    const f = await writeFixtureFolder({ xfail: [XFAIL], uxsuccess: [UXSUCCESS] });
    const folder = readResultsFolder(f.dir);
    const { counts: _c, ...withoutCounts } = folder.summary as Record<string, unknown>;
    const m = buildReportModel(dropCounts ? { ...folder, summary: withoutCounts } : folder);
    const progress = createProgress(f.tests.length);
    for (const t of f.tests) progress.record(t.status);
    const p = progress.snapshot();
    expect(f.tests.map((t) => t.status)).toEqual(expect.arrayContaining(['xfail', 'uxsuccess']));
    expect({ passed: m.counts.passed, failed: m.counts.failed }).toEqual({
      passed: p.passed,
      failed: p.failed,
    });
    expect(m.counts.failed).toBe(1);
    expect(m.failed.map((t) => t.name.split('.').pop())).toEqual([UXSUCCESS]);
    const state = (suffix: string) => [...m.states].find(([n]) => n.endsWith(`.${suffix}`))?.[1];
    expect(state(XFAIL)).toBe('pass');
    expect(state(UXSUCCESS)).toBe('fail');
    const html = renderReport(m);
    expect(html).toMatch(/data-count="failed"><dt>failed<\/dt><dd>1<\/dd>/);
    expect(html).not.toContain(`data-test="${f.tests.find((t) => t.status === 'xfail')!.name}"`);
  });
});

// --------------------------------------------------------------------------- a 2,000-test run
function bigRun(dir: string, secret: string) {
  const statuses: TestStatus[] = ['success', 'success', 'success', 'success', 'fail', 'skip', 'not-run'];
  const tests: TestResult[] = Array.from({ length: 2000 }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const name = `tempest.api.compute.servers.test_group_${i % 40}.ServersTest${i % 40}.test_case_number_${i}`;
    return {
      id: `${name}[id-${String(i).padStart(8, '0')}-0000-4000-8000-000000000000,smoke]`,
      name,
      status,
      durationMs: (i * 7919) % 60_000,
      ...(status === 'fail' ? { reason: `AssertionError: ${i} != ${i + 1} (${secret})` } : {}),
      ...(status === 'skip' ? { reason: `Skipped: feature ${i % 5} is not enabled` } : {}),
    };
  });
  const junit = tests
    .filter((t) => t.status === 'fail')
    .map((t) => {
      const cls = t.name.slice(0, t.name.lastIndexOf('.'));
      const frames = Array.from(
        { length: 80 },
        (_, k) => `  File "/usr/lib/python3/dist-packages/tempest/x${k}.py", line ${k}, in f${k}\n    call()`,
      ).join('\n');
      return `<testcase classname="${cls}" name="${t.id.slice(cls.length + 1)}" time="1.0"><failure type="x">Traceback (most recent call last):\n${frames}\n${t.reason}</failure></testcase>`;
    });
  return {
    files: new Map([['junit.xml', Buffer.from(`<testsuite>${junit.join('\n')}</testsuite>`)]]),
    tests,
    summary: {
      counts: { tests: 2000, passed: 1143, failed: 286, skipped: 286, notRun: 285, notInstalled: 0 },
      missing: [],
      notRunReasons: [],
      compliant: false,
      run: { tcupVersion: '0.1.0', concurrency: 4, durationSeconds: 5400 },
    },
    missing: [],
    log: '',
    dir,
  };
}

describe('a 2,000-test run', () => {
  it('stays small, shows every failure and bounds each traceback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-report-big-'));
    const secret = 'big-run-secret';
    const redactor = createRedactor([secret]);
    const { dir: _d, ...content } = bigRun(dir, secret);
    await writeResultsFolder(dir, { ...content, report: renderFolderReport }, redactor, redactor.secrets());
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const bytes = Buffer.byteLength(html);
    expect(bytes).toBeLessThan(1_000_000);
    expect(bytes).toBeGreaterThan(50_000); // it does hold the 2,000 tests' outcomes
    expect((html.match(/<section class="failure"/g) ?? []).length).toBe(286);
    expect((html.match(/<pre aria-label="traceback">/g) ?? []).length).toBe(100);
    for (const pre of html.match(/<pre aria-label="traceback">[\s\S]*?<\/pre>/g) ?? [])
      expect(pre.length).toBeLessThan(MAX_TRACEBACK_CHARS * 1.3 + 200);
    expect(html).toContain('characters left out: the whole text is in junit.xml');
    expect(html).not.toContain(secret);
    // Skipped tests are grouped by their reason: five reasons, one row each.
    expect(html.match(/<table class="skipped">[\s\S]*?<\/table>/)![0].match(/<tr>/g)!.length).toBe(6);
    expect(html).toContain('The 15 slowest tests');
  });
});

// ----------------------------------------------------------------------------------- pieces
describe('report pieces', () => {
  it.each([
    ['<b>&"\'', '&lt;b&gt;&amp;&quot;&#39;'],
    ['plain', 'plain'],
    [42, '42'],
  ])('escapes %j', (input, expected) => expect(esc(input)).toBe(expected));

  it('escapes as the redactor knows the XML form of a secret', () => {
    const secret = `a'b<c>&"d`;
    expect([...formsOf(secret)]).toContain(esc(secret));
  });

  it.each([
    [999, '999 ms'],
    [1500, '1.5 s'],
    [754_200, '12 min 34 s'],
    [5_400_000, '1 h 30 min'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [
      '<testcase classname="a.B" name="test_x[id-1,smoke]" time="1"><failure type="T">Traceback\n  x &lt; y &amp;&amp; &#39;q&#39;</failure></testcase>',
      { 'a.B.test_x[id-1,smoke]': "Traceback\n  x < y && 'q'", 'a.B.test_x': "Traceback\n  x < y && 'q'" },
    ],
    ['<testcase classname="a.B" name="test_ok" time="1"/>', {}],
    ['<testcase classname="a.B" name="test_s"><skipped>why</skipped></testcase>', {}],
    [
      '<testcase classname="a.B" name="test_e"><error type="E"><![CDATA[raw <text>]]></error></testcase>',
      { 'a.B.test_e': 'raw <text>' },
    ],
  ])('reads failures from junit.xml: %s', (xml, expected) =>
    expect(Object.fromEntries(parseJunitFailures(xml))).toEqual(expected),
  );

  it.each([
    [{}, 'not found'],
    ['[1,2]', 'not an object'],
    ['{oops', 'JSON'],
  ])('refuses a folder whose summary.json is %j', (summary, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'tcup-report-bad-'));
    if (typeof summary === 'string') writeFileSync(join(dir, 'summary.json'), summary);
    expect(() => readResultsFolder(dir)).toThrow(new RegExp(`summary.json.*${message}`));
  });

  it.each([
    [{ partial: true, compliant: false, results: 3, planned: 10 }, 'partial', 'interrupted: 3 of 10 tests'],
    [{ counts: { tests: 2, passed: 2 }, compliant: true }, 'test-list', 'every listed test passed'],
    [{ counts: { tests: 2, passed: 1 }, compliant: false }, 'test-list', 'NOT every listed test passed'],
    [
      {
        standard: 'scs-0128',
        result: 'tentative',
        compliant: true,
        tentative: true,
        listed: { listed: 3, passed: 2, failed: 0, skipped: 0, notRun: 1, notInstalled: 0 },
      },
      'standard',
      'scs-0128: TENTATIVE pass: no listed test failed, but 1 of 3 have no result (1 not run)',
    ],
  ])('words the verdict of %j', (summary, kind, answer) => {
    const m = buildReportModel({
      dir: '/r',
      name: 'r',
      summary,
      tests: [],
      missing: [],
      tracebacks: new Map(),
    });
    expect(m.kind).toBe(kind);
    expect(m.answer).toContain(answer);
    expect(renderReport(m)).toContain(esc(answer));
  });

  it.each<[string, TestStatus | undefined, string]>([
    ['compliant', 'success', 'Compliant'],
    ['not compliant', 'fail', 'NOT compliant'],
    ['tentative', undefined, 'TENTATIVE pass'],
  ])('words a standard (SCS-0128) run that is %s as the terminal does', (_, status, word) => {
    const standard = loadStandard('scs-0128');
    const results: TestResult[] = standard.tests.map((t, i) => ({
      id: t.name,
      name: t.name,
      status: i === 0 && status ? status : i === 0 ? 'not-run' : 'success',
      ...(i === 0 && status === 'fail' ? { reason: 'boom' } : {}),
    }));
    const verdict = computeStandardVerdict(standard, results);
    const summary = { ...standardSummaryJson(verdict), counts: { tests: results.length } };
    const m = buildReportModel({
      dir: '/r',
      name: 'r',
      summary,
      tests: results,
      missing: [],
      tracebacks: new Map(),
    });
    expect(m.kind).toBe('standard');
    expect(m.word).toBe(word);
    expect(m.answer).toBe(formatStandardAnswer(verdict));
    expect(m.rule).toBe(describeRule(standard));
    expect(m.title).toContain(standard.label);
    expect(renderReport(m)).toContain(`<strong id="verdict-word">${word}</strong>`);
  });

  it('never shows a fact that is not on the list (no user, project or URL)', () => {
    const summary = {
      compliant: true,
      run: { tcupVersion: '1', username: 'alice', auth_url: 'https://keystone.example/v3', cpid: 'c1' },
      username: 'alice',
    };
    const m = buildReportModel({
      dir: '/r',
      name: 'r',
      summary,
      tests: [],
      missing: [],
      tracebacks: new Map(),
    });
    const html = renderReport(m);
    expect(html).not.toContain('alice');
    expect(html).not.toContain('keystone.example');
    expect(m.facts.map((f) => f.label)).toEqual(['results folder', 'tcup version', 'cpid']);
  });

  it.each([
    [
      'the patches the image carried',
      ['rebuild-server-floating-ip', 'other-fix'],
      'rebuild-server-floating-ip, other-fix',
    ],
    ['none when it carried none', [], 'none'],
  ])("shows tcup's patches: %s", (_n, patches, shown) => {
    const summary = { compliant: true, run: { tcupVersion: '1', tempestVersion: '43.0.0', patches } };
    const m = buildReportModel({
      dir: '/r',
      name: 'r',
      summary,
      tests: [],
      missing: [],
      tracebacks: new Map(),
    });
    expect(m.facts).toContainEqual({ label: 'tcup patches', value: shown });
    expect(renderReport(m)).toContain(`<dt>tcup patches</dt><dd data-fact="tcup patches">${esc(shown)}</dd>`);
  });
});

// ------------------------------------------------------------------------------- comparisons
function model(name: string, tests: Record<string, State>, caps: Record<string, State> = {}): ReportModel {
  return {
    name,
    kind: 'guideline',
    word: '',
    title: 'T',
    compliant: Object.values(caps).every((s) => s === 'pass'),
    answer: `answer of ${name}`,
    rule: '',
    capabilities: Object.entries(caps).map(([id, state]) => ({
      id,
      type: 'required',
      state,
      passed: 0,
      failed: 0,
      skipped: 0,
      notRun: 0,
      missing: 0,
      flagged: 0,
      total: 1,
    })),
    counts: { tests: 0, passed: 0, failed: 0, skipped: 0, notRun: 0, notInstalled: 0 },
    failed: [],
    skipped: [],
    notRunClasses: [],
    notRunTests: [],
    notInstalled: [],
    slowest: [],
    facts: [],
    states: new Map(Object.entries(tests)),
  };
}

describe('comparison of runs', () => {
  it.each<[string, (State | undefined)[], (string | undefined)[]]>([
    ['pass then fail', ['pass', 'fail'], [undefined, 'newly failing']],
    ['fail then pass', ['fail', 'pass'], [undefined, 'newly passing']],
    ['pass then skip', ['pass', 'skip'], [undefined, 'newly failing']],
    ['pass then missing', ['pass', 'missing'], [undefined, 'newly failing']],
    ['fail then skip', ['fail', 'skip'], [undefined, undefined]],
    ['absent then pass', [undefined, 'pass'], [undefined, undefined]],
    ['each with the one before', ['pass', 'fail', 'pass'], [undefined, 'newly failing', 'newly passing']],
    ['the same', ['pass', 'pass', 'pass'], [undefined, undefined, undefined]],
  ])('marks %s', (_, states, changes) => {
    const models = states.map((s, i) => model(`run${i}`, s ? { 't.x': s } : {}));
    const row = compareRuns(models).tests.find((r) => r.key === 't.x')!;
    expect(row.cells.map((c) => c.change)).toEqual(changes);
    expect(row.differs).toBe(new Set(states.map((s) => s ?? '-')).size > 1);
  });

  it('puts what differs first: newly failing, newly passing, other differences, then the same', () => {
    const a = model('a', {
      't.same': 'pass',
      't.worse': 'pass',
      't.better': 'fail',
      't.other': 'fail',
      'a.same': 'pass',
    });
    const b = model('b', {
      't.same': 'pass',
      't.worse': 'fail',
      't.better': 'pass',
      't.other': 'skip',
      'a.same': 'pass',
    });
    expect(compareRuns([a, b]).tests.map((r) => r.key)).toEqual([
      't.worse',
      't.better',
      't.other',
      'a.same',
      't.same',
    ]);
  });

  it('labels two folders of the same name apart', () => {
    const cmp = compareRuns([model('x', {}), model('x', {})]);
    expect(cmp.runs.map((r) => r.label)).toEqual(['1:x', '2:x']);
  });

  const pair = () =>
    compareRuns([
      model(
        'monday',
        {
          'tempest.api.object_storage.test_container_services.ContainerTest.test_create_container': 'pass',
          't.b': 'pass',
        },
        { 'objectstore-container': 'pass' },
      ),
      model(
        'tuesday',
        {
          'tempest.api.object_storage.test_container_services.ContainerTest.test_create_container': 'fail',
          't.b': 'pass',
        },
        { 'objectstore-container': 'fail' },
      ),
    ]);

  it('prints a plain table that fits the width, without colour', () => {
    const text = formatComparisonText(pair(), { width: 80, color: false });
    expect(text).not.toContain('\u001b[');
    for (const line of text.split('\n').filter((l) => !l.startsWith('  ') && !l.startsWith('     ')))
      expect(line.length, line).toBeLessThanOrEqual(80 + 'newly failing in 2'.length + 2);
    expect(text).toMatch(/^objectstore-container\s+pass\s+fail\s+newly failing in 2$/m);
    expect(text).toMatch(/^….*ContainerTest\.test_create_container\s+pass\s+fail\s+newly failing in 2$/m);
    expect(text).toContain('tests: 1 of 2 differ (1 the same in every run, not shown)');
    expect(text).not.toMatch(/^t\.b /m);
    expect(formatComparisonText(pair(), { width: 80, color: false, showSame: true })).toMatch(
      /^t\.b\s+pass\s+pass$/m,
    );
  });

  it('uses colour only when asked', () => {
    expect(formatComparisonText(pair(), { width: 120, color: true })).toContain('\u001b[31m');
  });

  it('renders the comparison page with the marks, no script and real tables', () => {
    const html = renderComparison(pair());
    expect(html).toContain('▼ newly failing');
    expect(html).toMatch(
      /<tr class="differs" data-key="objectstore-container" data-changes="\|newly failing">/,
    );
    for (const pattern of EXTERNAL) expect(html).not.toMatch(pattern);
    expect(html).toMatch(/<caption>Tests: what differs first<\/caption>/);
    expect(html).toContain('<th scope="col">2: tuesday</th>');
  });
});
