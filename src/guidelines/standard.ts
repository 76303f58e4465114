/**
 * Standards that are a plain list of Tempest tests with a rule (SCS-0128): the bundled ones, and the
 * verdict by their rule (pure).
 *
 * The rule `no-failed-tests` (SCS-0128: "Tempest MUST NOT report any failed test case"):
 * - a listed test that failed (or whose class failed in setUpClass), or a class fixture of a listed
 *   test that failed (tearDownClass), makes the cloud NOT compliant;
 * - a skipped test is no failure: it is reported with its reason;
 * - a listed test without a result of its own (not in the installed Tempest, or not run, for example
 *   because Tempest skipped its whole class in setUpClass) makes the pass TENTATIVE, as SCS's own
 *   compliance reports call a pass with missing results.
 */
import { TcupError } from '../core/errors.js';
import { FIXTURE, splitTestId, type TestResult, type TestStatus } from '../results/tests.js';
import { STANDARDS } from './data/index.js';
import { STANDARD_TARGETS, type StandardData } from './model.js';

export type StandardFacts = Omit<StandardData, 'tests'>;

export interface StandardSelection extends StandardFacts {
  /** `SCS-0128 v1` */
  label: string;
  tests: { name: string; uuid?: string; aliases: string[] }[];
}

/** The bundled standards, in STANDARD_TARGETS order. */
export function bundledStandards(): StandardData[] {
  return STANDARD_TARGETS.filter((id) => Object.hasOwn(STANDARDS, id)).map((id) => STANDARDS[id]!);
}

/** A bundled standard by its target name (`scs-0128`), with its list split into names and ids. */
export function loadStandard(id: string): StandardSelection {
  const data = Object.hasOwn(STANDARDS, id) ? STANDARDS[id] : undefined;
  if (!data)
    throw new TcupError(
      'USAGE',
      `unknown standard ${JSON.stringify(id)}; bundled: ${bundledStandards()
        .map((s) => s.id)
        .join(', ')}`,
    );
  const { tests, ...facts } = data;
  return {
    ...facts,
    label: `${data.name} ${data.version}`,
    tests: tests.map((line) => {
      const { name, uuid } = splitTestId(line);
      return { name, ...(uuid ? { uuid } : {}), aliases: [] };
    }),
  };
}

/** passed (success, xfail) > failed (fail, uxsuccess) > skipped > not-run: as the progress counts them. */
export type ListedOutcome = 'passed' | 'failed' | 'skipped' | 'not-run' | 'not-installed';
export type StandardResult = 'compliant' | 'tentative' | 'not-compliant';

export interface ListedVerdict {
  name: string;
  outcome: ListedOutcome;
  /** Why it was skipped, failed or not run. */
  reason?: string;
}

export interface FixtureFailure {
  /** `tearDownClass (a.b.Class)` */
  name: string;
  reason?: string;
}

export interface StandardCounts {
  listed: number;
  passed: number;
  failed: number;
  skipped: number;
  notRun: number;
  notInstalled: number;
}

export interface StandardVerdict {
  standard: StandardFacts & { label: string };
  result: StandardResult;
  /** The rule holds: no listed test failed (true for a tentative pass too). */
  compliant: boolean;
  counts: StandardCounts;
  tests: ListedVerdict[];
  /** Class or module fixtures of listed tests that failed: Tempest reported them as failed test cases. */
  failedFixtures: FixtureFailure[];
}

export interface StandardVerdictInput {
  /** Names of listed tests the installed Tempest does not have. */
  notInstalled?: readonly string[];
  /** The installed name of a listed test that was matched by alias or idempotent id. */
  installedNames?: Readonly<Record<string, string>>;
}

const OUTCOME: Record<TestStatus, ListedOutcome> = {
  success: 'passed',
  xfail: 'passed',
  fail: 'failed',
  uxsuccess: 'failed',
  skip: 'skipped',
  'not-run': 'not-run',
};
const RANK: Record<ListedOutcome, number> = {
  'not-installed': 0,
  'not-run': 1,
  skipped: 2,
  failed: 3,
  passed: 4,
};
const FAILED: readonly TestStatus[] = ['fail', 'uxsuccess'];

export { FIXTURE };

/** The verdict of the results of a run (fixtures included) by the standard's rule. */
export function computeStandardVerdict(
  standard: StandardSelection,
  results: readonly TestResult[],
  input: StandardVerdictInput = {},
): StandardVerdict {
  const notInstalled = new Set(input.notInstalled ?? []);
  const best = new Map<string, TestResult>();
  const fixtures: { phase: string; scope: string; result: TestResult }[] = [];
  for (const r of results) {
    const fixture = FIXTURE.exec(r.name);
    if (fixture) {
      fixtures.push({ phase: fixture[1]!, scope: fixture[2]!, result: r });
      continue;
    }
    const seen = best.get(r.name);
    if (!seen || RANK[OUTCOME[r.status]] > RANK[OUTCOME[seen.status]]) best.set(r.name, r);
  }
  const fixturesOf = (name: string) => fixtures.filter((f) => name.startsWith(`${f.scope}.`));

  const tests = standard.tests.map((test): ListedVerdict => {
    const installed = input.installedNames?.[test.name] ?? test.name;
    const r = best.get(installed);
    if (!r && notInstalled.has(test.name))
      return { name: test.name, outcome: 'not-installed', reason: 'not in the installed Tempest' };
    const outcome = r ? OUTCOME[r.status] : 'not-run';
    if (outcome !== 'not-run')
      return { name: test.name, outcome, ...(r?.reason ? { reason: r.reason } : {}) };
    // No result of its own: its class (or module) failed or was skipped in setup, or the run ended.
    const setups = fixturesOf(installed).filter((f) => f.phase.startsWith('setUp'));
    const failed = setups.find((f) => FAILED.includes(f.result.status));
    if (failed) return { name: test.name, outcome: 'failed', reason: fixtureReason('failed', failed) };
    const skipped = setups.find((f) => f.result.status === 'skip');
    if (skipped) return { name: test.name, outcome: 'not-run', reason: fixtureReason('skipped', skipped) };
    return {
      name: test.name,
      outcome: 'not-run',
      reason: 'no result: the run ended before it, or Tempest did not report it',
    };
  });

  const listedNames = standard.tests.map((t) => input.installedNames?.[t.name] ?? t.name);
  const failedFixtures = fixtures
    .filter((f) => FAILED.includes(f.result.status))
    .filter((f) => listedNames.some((n) => n.startsWith(`${f.scope}.`)))
    .map((f) => ({ name: f.result.name, ...(f.result.reason ? { reason: f.result.reason } : {}) }));

  const count = (o: ListedOutcome) => tests.filter((t) => t.outcome === o).length;
  const counts: StandardCounts = {
    listed: tests.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    notRun: count('not-run'),
    notInstalled: count('not-installed'),
  };
  const result: StandardResult =
    counts.failed > 0 || failedFixtures.length > 0
      ? 'not-compliant'
      : counts.notRun > 0 || counts.notInstalled > 0 || counts.listed === 0
        ? 'tentative'
        : 'compliant';
  const { tests: _tests, ...facts } = standard;
  return { standard: facts, result, compliant: result !== 'not-compliant', counts, tests, failedFixtures };
}

function fixtureReason(how: 'failed' | 'skipped', f: { phase: string; scope: string; result: TestResult }) {
  const what = f.phase.endsWith('Module') ? 'its module' : 'its class';
  const verb = how === 'failed' ? 'failed' : 'was skipped';
  // Tempest often names the class in the reason ("VolumesGetTest skipped as Cinder is not available"):
  // without it, the classes that share a cause share one line.
  const name = f.scope.split('.').at(-1)!;
  const reason = (f.result.reason ?? '').replace(new RegExp(`^${name} (skipped|failed) (as|because) `), '');
  return `${what} ${verb} in ${f.phase}${reason ? `: ${reason}` : ''}`;
}

/** The rule and how tcup applies it, in one sentence (for the output and summary.json). */
export function describeRule(standard: StandardFacts): string {
  return (
    `${standard.ruleText}; a listed test without a result (not run, or not in the installed Tempest) ` +
    'makes the pass TENTATIVE'
  );
}

const MAX_LISTED = 5;
const MAX_DETAILS = 20;
const short = (name: string) => name.split('.').slice(-2).join('.');

/** One line: the answer. */
export function formatStandardAnswer(v: StandardVerdict): string {
  const { counts: c } = v;
  const label = v.standard.label;
  if (v.result === 'compliant')
    return `${label}: compliant: no listed test failed (${c.passed} passed, ${c.skipped} skipped of ${c.listed})`;
  if (v.result === 'tentative') {
    const parts = [
      ...(c.notRun ? [`${c.notRun} not run`] : []),
      ...(c.notInstalled ? [`${c.notInstalled} not in this Tempest`] : []),
    ];
    return (
      `${label}: TENTATIVE pass: no listed test failed, but ${c.notRun + c.notInstalled} of ${c.listed} ` +
      `have no result (${parts.join(', ')}); ${c.passed} passed, ${c.skipped} skipped`
    );
  }
  const failed = v.tests.filter((t) => t.outcome === 'failed').map((t) => short(t.name));
  const listed = failed.slice(0, MAX_LISTED).join(', ');
  const more = failed.length > MAX_LISTED ? `, and ${failed.length - MAX_LISTED} more` : '';
  const fixtures = v.failedFixtures.length
    ? `${failed.length ? '; ' : ''}failed fixtures: ${v.failedFixtures.map((f) => f.name).join(', ')}`
    : '';
  return (
    `${label}: NOT compliant: ${c.failed} of ${c.listed} listed tests failed` +
    `${failed.length ? `: ${listed}${more}` : ''}${fixtures}`
  );
}

export interface ReportLine {
  level: 'warn' | 'info';
  text: string;
}

/**
 * What a vendor needs to understand the answer: every failure with its reason, then the tests without
 * a result and the skips, grouped by reason (a cloud without compute has one reason for most of them).
 */
export function standardDetails(v: StandardVerdict): ReportLine[] {
  const lines: ReportLine[] = [
    { level: 'info', text: `rule of ${v.standard.label}: ${describeRule(v.standard)}` },
  ];
  const failed = v.tests.filter((t) => t.outcome === 'failed');
  for (const t of failed.slice(0, MAX_DETAILS))
    lines.push({ level: 'warn', text: `failed: ${t.name}${t.reason ? `: ${t.reason}` : ''}` });
  if (failed.length > MAX_DETAILS)
    lines.push({ level: 'warn', text: `failed: and ${failed.length - MAX_DETAILS} more (tests.json)` });
  for (const f of v.failedFixtures)
    lines.push({ level: 'warn', text: `failed: ${f.name}${f.reason ? `: ${f.reason}` : ''}` });
  const grouped = (outcome: ListedOutcome, label: string, level: ReportLine['level']) => {
    const byReason = new Map<string, string[]>();
    for (const t of v.tests.filter((x) => x.outcome === outcome)) {
      const key = t.reason ?? '';
      byReason.set(key, [...(byReason.get(key) ?? []), t.name]);
    }
    const groups = [...byReason].sort((a, b) => b[1].length - a[1].length);
    for (const [reason, names] of groups) {
      const classes = [...new Set(names.map((n) => n.split('.').slice(0, -1).join('.')))];
      const shortClass = (c: string) => c.split('.').at(-1)!;
      const what =
        names.length === 1
          ? short(names[0]!)
          : `${names.length} listed tests in ${classes.length} class${classes.length === 1 ? '' : 'es'} ` +
            `(${classes.slice(0, 3).map(shortClass).join(', ')}${classes.length > 3 ? ', …' : ''})`;
      lines.push({ level, text: `${label}: ${what}${reason ? ` — ${reason}` : ''}` });
    }
  };
  grouped('not-run', 'not run', 'warn');
  grouped('not-installed', 'not in this Tempest', 'warn');
  grouped('skipped', 'skipped (not a failure)', 'info');
  return lines;
}

/** The verdict as a plain object for summary.json: which rule was applied, and what it found. */
export function standardSummaryJson(v: StandardVerdict) {
  const { standard: s } = v;
  const named = (o: ListedOutcome) =>
    v.tests
      .filter((t) => t.outcome === o)
      .map((t) => ({ name: t.name, ...(t.reason ? { reason: t.reason } : {}) }));
  return {
    target: s.id,
    standard: {
      id: s.id,
      name: s.name,
      version: s.version,
      title: s.title,
      status: s.status,
      source: { ...s.source },
      licence: { ...s.licence },
    },
    rule: { id: s.rule, text: s.ruleText, applied: describeRule(s), result: v.result },
    result: v.result,
    compliant: v.compliant,
    tentative: v.result === 'tentative',
    listed: { ...v.counts },
    failedTests: named('failed'),
    failedFixtures: v.failedFixtures.map((f) => ({ ...f })),
    skippedTests: named('skipped'),
    notRunTests: named('not-run'),
    notInstalled: named('not-installed').map((t) => t.name),
    /** Every listed test without a result (not run or not installed), by name. */
    missingTests: v.tests
      .filter((t) => t.outcome === 'not-run' || t.outcome === 'not-installed')
      .map((t) => t.name),
  };
}
