import { describe, expect, it } from 'vitest';
import { TcupError } from '../../src/core/errors.js';
import {
  computeStandardVerdict,
  formatStandardAnswer,
  loadStandard,
  standardDetails,
  standardSummaryJson,
  type ListedOutcome,
  type StandardResult,
  type StandardSelection,
} from '../../src/guidelines/standard.js';
import { computeVerdict } from '../../src/guidelines/verdict.js';
import type { Selection } from '../../src/guidelines/select.js';
import type { TestResult, TestStatus } from '../../src/results/tests.js';
import { createProgress } from '../../src/tempest/progress.js';
import { createReporter } from '../../src/core/log.js';
import { judge } from '../../src/pipeline/steps/verdict.js';

const A = 'tempest.api.compute.servers.test_a.ServersTest.test_one';
const B = 'tempest.api.compute.servers.test_a.ServersTest.test_two';
const C = 'tempest.api.identity.v3.test_tokens.TokensV3Test.test_create_token';
const CLASS = 'tempest.api.compute.servers.test_a.ServersTest';

function tiny(): StandardSelection {
  const real = loadStandard('scs-0128');
  return { ...real, tests: [A, B, C].map((name) => ({ name, aliases: [] })) };
}
const r = (name: string, status: TestStatus, reason?: string): TestResult => ({
  id: name,
  name,
  status,
  ...(reason ? { reason } : {}),
});
const ok = (...names: string[]) => names.map((n) => r(n, 'success'));

interface Case {
  name: string;
  results: TestResult[];
  notInstalled?: string[];
  installedNames?: Record<string, string>;
  result: StandardResult;
  outcomes: [ListedOutcome, ListedOutcome, ListedOutcome];
  /** A word the reason of the first listed test must hold. */
  reason?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'every listed test passed',
    results: ok(A, B, C),
    result: 'compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
  {
    name: 'a listed test failed: NOT compliant',
    results: [r(A, 'fail', 'AssertionError: 404'), ...ok(B, C)],
    result: 'not-compliant',
    outcomes: ['failed', 'passed', 'passed'],
    reason: /404/,
  },
  {
    name: 'skipped only: compliant (skips are no failures), the reason kept',
    results: [r(A, 'skip', 'Feature X not enabled'), r(B, 'skip', 'Feature X not enabled'), ...ok(C)],
    result: 'compliant',
    outcomes: ['skipped', 'skipped', 'passed'],
    reason: /Feature X/,
  },
  {
    name: 'everything skipped: still compliant by the rule',
    results: [r(A, 'skip'), r(B, 'skip'), r(C, 'skip')],
    result: 'compliant',
    outcomes: ['skipped', 'skipped', 'skipped'],
  },
  {
    name: 'a listed test missing from the installed Tempest: tentative',
    results: ok(B, C),
    notInstalled: [A],
    result: 'tentative',
    outcomes: ['not-installed', 'passed', 'passed'],
    reason: /not in the installed Tempest/,
  },
  {
    name: 'its class skipped in setUpClass (no compute service): not run, tentative',
    results: [
      r(A, 'not-run'),
      r(B, 'not-run'),
      r(`setUpClass (${CLASS})`, 'skip', 'Nova is not available'),
      ...ok(C),
    ],
    result: 'tentative',
    outcomes: ['not-run', 'not-run', 'passed'],
    reason: /its class was skipped in setUpClass: Nova is not available/,
  },
  {
    name: 'its class failed in setUpClass: the tests count as failed, NOT compliant',
    results: [
      r(A, 'not-run'),
      r(B, 'not-run'),
      r(`setUpClass (${CLASS})`, 'fail', 'quota exceeded'),
      ...ok(C),
    ],
    result: 'not-compliant',
    outcomes: ['failed', 'failed', 'passed'],
    reason: /its class failed in setUpClass: quota exceeded/,
  },
  {
    name: 'a tearDownClass of a listed class failed: Tempest reported a failed test case, NOT compliant',
    results: [...ok(A, B, C), r(`tearDownClass (${CLASS})`, 'fail', 'could not delete')],
    result: 'not-compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
  {
    name: 'a fixture of another class does not count',
    results: [...ok(A, B, C), r('tearDownClass (tempest.api.compute.other.Other)', 'fail')],
    result: 'compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
  {
    name: 'no result and no reason (the run ended): not run, tentative',
    results: ok(B, C),
    result: 'tentative',
    outcomes: ['not-run', 'passed', 'passed'],
    reason: /no result/,
  },
  {
    name: 'xfail passes (as the progress counts it)',
    results: [r(A, 'xfail'), ...ok(B, C)],
    result: 'compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
  {
    name: 'uxsuccess fails (as the progress counts it)',
    results: [r(A, 'uxsuccess'), ...ok(B, C)],
    result: 'not-compliant',
    outcomes: ['failed', 'passed', 'passed'],
  },
  {
    name: 'a listed test found by idempotent id under another name counts by that name',
    results: [r('tempest.api.compute.servers.test_a.ServersTest.test_one_renamed', 'success'), ...ok(B, C)],
    installedNames: { [A]: 'tempest.api.compute.servers.test_a.ServersTest.test_one_renamed' },
    result: 'compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
  {
    name: 'a re-run that passed wins over the earlier failure',
    results: [r(A, 'fail'), r(A, 'success'), ...ok(B, C)],
    result: 'compliant',
    outcomes: ['passed', 'passed', 'passed'],
  },
];

describe('SCS-0128 rule: no listed test may fail; skips are no failures; no result is tentative', () => {
  it.each(CASES)('$name', (c) => {
    const v = computeStandardVerdict(tiny(), c.results, {
      ...(c.notInstalled ? { notInstalled: c.notInstalled } : {}),
      ...(c.installedNames ? { installedNames: c.installedNames } : {}),
    });
    expect(v.result).toBe(c.result);
    expect(v.tests.map((t) => t.outcome)).toEqual(c.outcomes);
    expect(v.compliant).toBe(c.result !== 'not-compliant');
    if (c.reason) expect(v.tests[0]!.reason).toMatch(c.reason);
    const answer = formatStandardAnswer(v);
    expect(answer).toMatch(/^SCS-0128 v1: /);
    expect(answer).toContain(
      {
        compliant: ': compliant: no listed test failed',
        tentative: ': TENTATIVE pass: ',
        'not-compliant': ': NOT compliant: ',
      }[c.result],
    );
    const summary = standardSummaryJson(v);
    expect(summary.rule).toMatchObject({ id: 'no-failed-tests', result: c.result });
    expect(summary.tentative).toBe(c.result === 'tentative');
  });

  it('counts xfail and uxsuccess as the live progress does, like the guideline verdict', () => {
    const statuses: TestStatus[] = ['success', 'xfail', 'uxsuccess', 'fail', 'skip'];
    const names = statuses.map((s) => `t.C.${s}`);
    const standard: StandardSelection = { ...tiny(), tests: names.map((name) => ({ name, aliases: [] })) };
    const results = statuses.map((s, i) => r(names[i]!, s));
    const progress = createProgress(statuses.length);
    for (const s of statuses) progress.record(s);
    const snap = progress.snapshot();
    const v = computeStandardVerdict(standard, results);
    expect({ passed: v.counts.passed, failed: v.counts.failed, skipped: v.counts.skipped }).toEqual({
      passed: snap.passed,
      failed: snap.failed,
      skipped: snap.skipped,
    });
    const selection: Selection = {
      version: 'x',
      target: 'object',
      product: 'OpenStack Powered Storage',
      types: ['required'],
      includeFlagged: false,
      capabilities: statuses.map((s, i) => ({
        id: s,
        status: 'required' as const,
        tests: [{ name: names[i]!, aliases: [], flagged: false }],
      })),
      tests: [],
      undefinedCapabilities: [],
    };
    const g = computeVerdict(selection, results);
    expect(g.capabilities.map((c) => [c.id, c.status])).toEqual([
      ['success', 'pass'],
      ['xfail', 'pass'],
      ['uxsuccess', 'fail'],
      ['fail', 'fail'],
      ['skip', 'skip'],
    ]);
  });

  it('a cloud without compute: the answer and the details say why, grouped by reason', () => {
    const s = loadStandard('scs-0128');
    const identity = s.tests.filter((t) => t.name.startsWith('tempest.api.identity.'));
    const others = s.tests.filter((t) => !t.name.startsWith('tempest.api.identity.'));
    const classes = [...new Set(others.map((t) => t.name.split('.').slice(0, -1).join('.')))];
    const results = [
      ...identity.map((t) => r(t.name, 'success')),
      ...others.map((t) => r(t.name, 'not-run')),
      // Tempest's reasons, some naming the class (as VolumesGetTest's: "VolumesGetTest skipped as …").
      ...classes.map((c, i) =>
        r(
          `setUpClass (${c})`,
          'skip',
          i % 2 ? `${c.split('.').at(-1)!} skipped as Nova is not available` : 'Nova is not available',
        ),
      ),
    ];
    const v = computeStandardVerdict(s, results);
    expect(v.counts).toEqual({
      listed: 258,
      passed: identity.length,
      failed: 0,
      skipped: 0,
      notRun: others.length,
      notInstalled: 0,
    });
    expect(v.result).toBe('tentative');
    expect(formatStandardAnswer(v)).toBe(
      `SCS-0128 v1: TENTATIVE pass: no listed test failed, but ${others.length} of 258 have no result ` +
        `(${others.length} not run); ${identity.length} passed, 0 skipped`,
    );
    const details = standardDetails(v).map((l) => l.text);
    expect(details[0]).toMatch(/^rule of SCS-0128 v1: Tempest MUST NOT report any failed test case/);
    const shown = classes.slice(0, 3).map((c) => c.split('.').at(-1));
    expect(details).toContain(
      `not run: ${others.length} listed tests in ${classes.length} classes (${shown.join(', ')}, …) — ` +
        'its class was skipped in setUpClass: Nova is not available',
    );
    expect(details).toHaveLength(2);
  });

  it('summary.json names the standard, its source and licence, and every test without a result', () => {
    const v = computeStandardVerdict(tiny(), [r(A, 'skip', 'why'), ...ok(C)], { notInstalled: [B] });
    const summary = standardSummaryJson(v);
    expect(summary).toMatchObject({
      target: 'scs-0128',
      standard: {
        name: 'SCS-0128',
        version: 'v1',
        source: { commit: 'ab4be81c7eb99b152f585c5b4e6b2d7ecf8d4fa7' },
        licence: { name: 'CC BY-SA 4.0' },
      },
      result: 'tentative',
      compliant: true,
      listed: { listed: 3, passed: 1, skipped: 1, notInstalled: 1 },
      skippedTests: [{ name: A, reason: 'why' }],
      notInstalled: [B],
      missingTests: [B],
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it.each([
    [
      'a failed tearDownClass, its class re-run fine',
      r(`tearDownClass (${CLASS})`, 'fail', 'x'),
      'compliant',
    ],
    ['a skipped setUpClass, its class re-run fine', r(`setUpClass (${CLASS})`, 'skip', 'x'), 'compliant'],
    [
      'a failed tearDownClass of a class not re-run',
      r('tearDownClass (t.Other)', 'fail', 'x'),
      'not-compliant',
    ],
  ] as const)('--rerun-failed: %s', (_name, fixture, expected) => {
    const lines: string[] = [];
    const reporter = createReporter({
      write: (t) => lines.push(t),
      isTTY: false,
      verbose: false,
      redact: (t) => t,
    });
    const standard: StandardSelection = {
      ...tiny(),
      tests: [...tiny().tests, { name: 't.Other.test_x', aliases: [] }],
    };
    const previous = [...ok(C, 't.Other.test_x'), r(A, 'not-run'), r(B, 'not-run'), fixture];
    const j = judge(
      { standard, tests: [standard.tests[0]!, standard.tests[1]!], plugins: [], previous },
      { ids: [A, B], missing: [], renamed: {} },
      ok(A, B),
      reporter,
    );
    expect(j.summary['result']).toBe(expected);
    expect(j.compliant).toBe(expected !== 'not-compliant');
    expect(lines.join('')).toContain(
      expected === 'compliant' ? 'SCS-0128 v1: compliant' : 'SCS-0128 v1: NOT compliant',
    );
  });

  it('an unknown standard is a usage error', () => {
    expect(() => loadStandard('scs-9999')).toThrow(TcupError);
  });
});
