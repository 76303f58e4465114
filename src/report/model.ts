/**
 * What a report shows, made from a results folder's files alone (pure): the verdict and its rule, the
 * capabilities, the tests by outcome, and the run's facts. summary.json is read leniently: its shape
 * depends on the kind of run (a guideline, a plain test list, or an interrupted run).
 */
import { formatAnswer, type SummaryJson, type Verdict } from '../guidelines/verdict.js';
import { TARGET_PRODUCTS, isTarget, type CapabilityStatus } from '../guidelines/model.js';
import {
  FIXTURE,
  formatStandardAnswer,
  type StandardResult,
  type StandardVerdict,
} from '../guidelines/standard.js';
import type { ResultsFolderData } from '../results/read-folder.js';
import type { TestResult } from '../results/tests.js';

/** A test's or capability's state in a report: the words shown. */
export type State = 'pass' | 'fail' | 'skip' | 'not run' | 'missing';

export interface Counts {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  notRun: number;
  notInstalled: number;
}

export interface CapabilityRow {
  id: string;
  type: string;
  state: State;
  passed: number;
  failed: number;
  skipped: number;
  /** Tests with no result that the installed Tempest has (their class was skipped or failed in setup). */
  notRun: number;
  /** Tests the installed Tempest lacks. */
  missing: number;
  flagged: number;
  total: number;
}

export interface FailedTest {
  name: string;
  id: string;
  reason?: string;
  /** From junit.xml, when the folder has it. */
  traceback?: string;
  durationMs?: number;
}

export interface Fact {
  label: string;
  value: string;
}

/** Listed tests of a standard that share why they have no result (`its class was skipped in setUpClass: …`). */
export interface NoResultGroup {
  /** `not run` or `not in this Tempest` */
  outcome: 'not run' | 'not in this Tempest';
  reason: string;
  tests: string[];
}

/** A run against a standard (SCS-0128): what it is, what the rule found, and why a pass is tentative. */
export interface StandardReport {
  id: string;
  /** `SCS-0128 v1` */
  label: string;
  title?: string;
  status?: string;
  /** Where the list comes from: `repository path @ commit (date)`. */
  source?: string;
  result: StandardResult;
  rule: { id: string; text: string; applied: string };
  listed: number;
  /** Listed tests without a result (not run, or not in the installed Tempest), grouped by reason, largest first. */
  noResult: NoResultGroup[];
  /** Class or module fixtures of listed tests that failed. */
  failedFixtures: { name: string; reason: string }[];
}

export interface ReportModel {
  /** The folder's name. */
  name: string;
  kind: 'guideline' | 'standard' | 'test-list' | 'partial';
  /** The verdict in one or two words: `Compliant`, `NOT compliant`, `TENTATIVE pass`, `No verdict`. */
  word: string;
  /** What the run was checked against: `OpenStack Powered Storage 2020.06 (object, required)`. */
  title: string;
  compliant: boolean;
  /** The verdict line, worded as the terminal words it. */
  answer: string;
  /** How the verdict was reached. */
  rule: string;
  /** A standard's run (kind `standard`): the standard, its result and why. */
  standard?: StandardReport;
  capabilities: CapabilityRow[];
  counts: Counts;
  failed: FailedTest[];
  skipped: { name: string; reason: string }[];
  /** Classes whose setup failed or was skipped, so their tests did not run. */
  notRunClasses: { class: string; phase: string; status: string; reason: string }[];
  notRunTests: string[];
  notInstalled: string[];
  slowest: { name: string; durationMs: number; state: State }[];
  facts: Fact[];
  /** Every test's state by name (not-installed tests included as `missing`), for comparisons. */
  states: Map<string, State>;
}

/** The facts a run records in summary.json under `run` (written by the pipeline). */
export interface RunFacts {
  tcupVersion?: string;
  tempestVersion?: string;
  image?: string;
  concurrency?: number;
  durationSeconds?: number;
  cpid?: string;
  startedAt?: string;
  /** tcup's patches the image carried (container/patches/ names); absent in older folders. */
  patches?: string[];
}

const SLOWEST = 15;

/** As the live progress (src/tempest/progress.ts) and the verdict count: xfail passes, uxsuccess fails. */
export const STATE_OF: Record<TestResult['status'], State> = {
  success: 'pass',
  fail: 'fail',
  xfail: 'pass',
  uxsuccess: 'fail',
  skip: 'skip',
  'not-run': 'not run',
};

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The report of one results folder. */
export function buildReportModel(folder: ResultsFolderData): ReportModel {
  const summary = obj(folder.summary);
  const listed = folder.tests.filter((t) => !FIXTURE.test(t.name));
  const notInstalled = uniq([...strings(summary.notInstalled), ...folder.missing]);
  let counts = countsOf(obj(summary.counts), listed, notInstalled.length);
  const capabilities = (Array.isArray(summary.capabilities) ? summary.capabilities : []).map((c) =>
    capabilityRow(obj(c), new Set(notInstalled)),
  );
  const partial = summary.partial === true;
  const guideline = !partial && typeof summary.version === 'string' && typeof summary.target === 'string';
  const compliant = summary.compliant === true && !partial;
  const result = str(summary.result);
  // A standard's summary (src/guidelines/standard.ts) has no version: it names the standard and its result.
  const standard =
    !partial &&
    !guideline &&
    (typeof summary.standard === 'object' ||
      typeof summary.standard === 'string' ||
      result === 'compliant' ||
      result === 'tentative' ||
      result === 'not-compliant');
  const standardResult: StandardResult =
    result === 'compliant' || result === 'tentative' || result === 'not-compliant'
      ? result
      : !compliant
        ? 'not-compliant'
        : summary.tentative === true
          ? 'tentative'
          : 'compliant';
  const tentative = standard && standardResult === 'tentative';
  let standardReport: StandardReport | undefined;

  let title: string;
  let answer: string;
  let rule: string;
  if (guideline) {
    const g = summary as Partial<SummaryJson>;
    const target = g.target!;
    const product = g.product ?? (isTarget(target) ? TARGET_PRODUCTS[target] : target);
    const types = strings(g.types);
    const patterns = strings(g.capabilityPatterns);
    title = `${product} ${g.version!} (${target}, ${types.join(', ') || 'required'})`;
    const pseudo: Verdict = {
      context: {
        version: g.version!,
        target,
        types: types as CapabilityStatus[],
        product,
        includeFlagged: g.includeFlagged === true,
        addOn: target === 'dns' || target === 'orchestration',
        ...(patterns.length ? { capabilityPatterns: patterns } : {}),
      },
      capabilities: [],
      compliant,
      passedCapabilities: num(g.passedCapabilities) ?? capabilities.filter((c) => c.state === 'pass').length,
      totalCapabilities: num(g.totalCapabilities) ?? capabilities.length,
      failing: strings(g.failing),
    };
    answer = formatAnswer(pseudo);
    rule =
      `A capability passes when every one of its ${g.includeFlagged === true ? '' : 'non-flagged '}tests passed ` +
      `(by name, alias or idempotent id); the cloud is compliant with ${product} ${g.version!} when every ` +
      `selected ${types.join('/') || 'required'} capability passes.` +
      (g.includeFlagged === true
        ? ' Flagged tests were included and count.'
        : ' Flagged tests are optional.') +
      ' A test the installed Tempest lacks counts as missing.' +
      (patterns.length
        ? ` Only capabilities matching ${patterns.join(', ')} were selected: not a full check.`
        : '');
  } else if (standard) {
    const s = typeof summary.standard === 'string' ? { id: summary.standard } : obj(summary.standard);
    const label =
      [str(s.name), str(s.version)].filter(Boolean).join(' ') ||
      str(s.id) ||
      str(summary.target) ||
      'standard';
    title = `${label}${str(s.title) ? `: ${str(s.title)}` : ''}`;
    const listedCounts = obj(summary.listed);
    const named = (v: unknown) =>
      (Array.isArray(v) ? v : []).map((t) => ({ name: str(obj(t).name) ?? '', reason: str(obj(t).reason) }));
    // The standard counts its listed tests (a test of a class skipped in setUpClass has no result of its
    // own but is "not run"): the page shows those counts, as the answer line does.
    counts = {
      tests: num(listedCounts.listed) ?? counts.tests,
      passed: num(listedCounts.passed) ?? counts.passed,
      failed: num(listedCounts.failed) ?? counts.failed,
      skipped: num(listedCounts.skipped) ?? counts.skipped,
      notRun: num(listedCounts.notRun) ?? counts.notRun,
      notInstalled: num(listedCounts.notInstalled) ?? counts.notInstalled,
    };
    const failedFixtures = named(summary.failedFixtures).map((f) => ({
      name: f.name,
      reason: f.reason ?? '',
    }));
    const pseudo: StandardVerdict = {
      standard: { ...(s as unknown as StandardVerdict['standard']), label },
      result: standardResult,
      compliant,
      counts: { ...counts, listed: counts.tests },
      tests: named(summary.failedTests).map((t) => ({ name: t.name, outcome: 'failed' as const })),
      failedFixtures,
    };
    answer = formatStandardAnswer(pseudo);
    const r = obj(summary.rule);
    rule = str(r.applied) ?? str(r.text) ?? "The standard's rule.";
    const src = obj(s.source);
    // The repository without its scheme: the page names no URL (nothing on it may look like a link to load).
    const repository = str(src.repository)?.replace(/^[a-z]+:\/\//i, '');
    const source = [repository, str(src.path)].filter(Boolean).join(' ');
    const commit = str(src.commit);
    standardReport = {
      id: str(s.id) ?? str(summary.target) ?? label,
      label,
      ...(str(s.title) ? { title: str(s.title)! } : {}),
      ...(str(s.status) ? { status: str(s.status)! } : {}),
      ...(source
        ? {
            source:
              source +
              (commit ? ` @ ${commit.slice(0, 12)}` : '') +
              (str(src.date) ? ` (${str(src.date)})` : ''),
          }
        : {}),
      result: standardResult,
      rule: { id: str(r.id) ?? '', text: str(r.text) ?? '', applied: rule },
      listed: counts.tests,
      noResult: noResultGroups(named(summary.notRunTests), notInstalled),
      failedFixtures,
    };
  } else if (partial) {
    title = 'an interrupted run';
    answer = `interrupted: ${num(summary.results) ?? listed.length} of ${num(summary.planned) ?? '?'} tests have a result; no verdict`;
    rule = 'The run did not finish, so there is no verdict: the results so far are shown.';
  } else {
    title = 'a test list';
    answer = compliant ? 'every listed test passed' : 'NOT every listed test passed';
    rule = 'Every listed test must pass, and the installed Tempest must have each of them.';
  }

  const tracebackOf = (t: TestResult) => folder.tracebacks.get(t.id) ?? folder.tracebacks.get(t.name);
  const failed = listed
    .filter((t) => STATE_OF[t.status] === 'fail')
    .map((t): FailedTest => {
      const traceback = tracebackOf(t);
      return {
        name: t.name,
        id: t.id ?? t.name,
        ...(t.reason ? { reason: t.reason } : {}),
        ...(traceback ? { traceback } : {}),
        ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
      };
    });
  const notRunClasses = (Array.isArray(summary.notRunReasons) ? summary.notRunReasons : []).map((r) => {
    const o = obj(r);
    return {
      class: str(o.class) ?? '',
      phase: str(o.phase) ?? '',
      status: str(o.status) ?? '',
      reason: str(o.reason) ?? '',
    };
  });
  const states = new Map<string, State>();
  for (const name of notInstalled) states.set(name, 'missing');
  for (const t of listed) states.set(t.name, STATE_OF[t.status] ?? 'fail');

  return {
    name: folder.name,
    kind: guideline ? 'guideline' : standard ? 'standard' : partial ? 'partial' : 'test-list',
    word: partial ? 'No verdict' : tentative ? 'TENTATIVE pass' : compliant ? 'Compliant' : 'NOT compliant',
    title,
    compliant,
    answer,
    rule,
    ...(standardReport ? { standard: standardReport } : {}),
    capabilities,
    counts,
    failed,
    skipped: listed.filter((t) => t.status === 'skip').map((t) => ({ name: t.name, reason: t.reason ?? '' })),
    notRunClasses,
    notRunTests: listed.filter((t) => t.status === 'not-run').map((t) => t.name),
    notInstalled,
    slowest: listed
      .filter((t) => typeof t.durationMs === 'number')
      .sort((a, b) => b.durationMs! - a.durationMs! || a.name.localeCompare(b.name))
      .slice(0, SLOWEST)
      .map((t) => ({ name: t.name, durationMs: t.durationMs!, state: STATE_OF[t.status] ?? 'fail' })),
    facts: factsOf(summary, folder),
    states,
  };
}

function countsOf(given: Loose, listed: readonly TestResult[], notInstalled: number): Counts {
  const count = (...s: TestResult['status'][]) => listed.filter((t) => s.includes(t.status)).length;
  return {
    tests: num(given.tests) ?? listed.length,
    // As the live progress and the verdict count them: an expected failure passes, an unexpected success fails.
    passed: num(given.passed) ?? count('success', 'xfail'),
    failed: num(given.failed) ?? count('fail', 'uxsuccess'),
    skipped: num(given.skipped) ?? count('skip'),
    notRun: num(given.notRun) ?? count('not-run'),
    notInstalled: num(given.notInstalled) ?? notInstalled,
  };
}

const CAPABILITY_STATE: Record<string, State> = {
  pass: 'pass',
  fail: 'fail',
  skip: 'skip',
  missing: 'missing',
};

/**
 * A capability of summary.json. The verdict counts every test without a result as missing; the page
 * tells the two apart as the run's lines do: "not run" (the installed Tempest has it, its class was
 * skipped or failed in setup) and "missing" (the installed Tempest lacks it). A capability with a test
 * that did not run is "not run".
 */
function capabilityRow(c: Loose, notInstalled: ReadonlySet<string>): CapabilityRow {
  const noResult = num(c.missing) ?? 0;
  // Older folders name no missing tests: their tests without a result stay "missing".
  const notRun = Array.isArray(c.missingTests)
    ? strings(c.missingTests).filter((name) => !notInstalled.has(name)).length
    : 0;
  const state = CAPABILITY_STATE[str(c.status) ?? ''] ?? 'missing';
  return {
    id: str(c.id) ?? '?',
    type: str(c.type) ?? '',
    state: state === 'missing' && notRun > 0 ? 'not run' : state,
    passed: num(c.passed) ?? 0,
    failed: num(c.failed) ?? 0,
    skipped: num(c.skipped) ?? 0,
    notRun,
    missing: Math.max(noResult - notRun, 0),
    flagged: num(c.flagged) ?? 0,
    total: num(c.total) ?? 0,
  };
}

/** Only these facts, never anything else of summary.json: no user, project, URL or secret. */
function factsOf(summary: Loose, folder: ResultsFolderData): Fact[] {
  const run = obj(summary.run) as RunFacts;
  const duration = num(run.durationSeconds) ?? folder.refstack?.duration_seconds;
  const facts: [string, string | undefined][] = [
    ['results folder', folder.name],
    ['started', str(run.startedAt)],
    ['tcup version', str(run.tcupVersion)],
    ['Tempest version', str(run.tempestVersion)],
    // Only when the run recorded them (older summary.json files did not): none is a fact, unknown is not.
    ['tcup patches', Array.isArray(run.patches) ? strings(run.patches).join(', ') || 'none' : undefined],
    ['written for Tempest', str(summary.tempestCommit)],
    ['image', str(run.image)],
    ['concurrency', num(run.concurrency)?.toString()],
    ['duration', duration !== undefined ? formatDuration(duration * 1000) : undefined],
    ['cpid', str(run.cpid) ?? folder.refstack?.cpid],
  ];
  return facts
    .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
    .map(([label, value]) => ({ label, value }));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Tests without a result grouped by why (a cloud without compute has one reason for most), largest first. */
function noResultGroups(
  notRun: { name: string; reason: string | undefined }[],
  notInstalled: string[],
): NoResultGroup[] {
  const groups = new Map<string, NoResultGroup>();
  const add = (outcome: NoResultGroup['outcome'], reason: string, name: string) => {
    const key = `${outcome}\u0000${reason}`;
    const g = groups.get(key) ?? { outcome, reason, tests: [] };
    g.tests.push(name);
    groups.set(key, g);
  };
  for (const t of notRun) add('not run', t.reason ?? '', t.name);
  for (const name of notInstalled) add('not in this Tempest', 'not in the installed Tempest', name);
  return [...groups.values()].sort((a, b) => b.tests.length - a.tests.length);
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}
