/** The verdict of a run against a selection, counted as the RefStack UI counts (pure). */
import type { TestResult, TestStatus } from '../results/tests.js';
import type { CapabilityStatus, Target } from './model.js';
import type { Selection } from './select.js';

export type TestOutcome = 'passed' | 'failed' | 'skipped' | 'missing';
export type CapabilityOutcome = 'pass' | 'fail' | 'skip' | 'missing';

export interface TestVerdict {
  name: string;
  flagged: boolean;
  outcome: TestOutcome;
}

export interface CapabilityCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** Not run, or absent from the results. */
  missing: number;
  /** Flagged tests among them (optional to pass). */
  flagged: number;
  total: number;
}

export interface CapabilityVerdict extends CapabilityCounts {
  id: string;
  /** The capability's type in the guideline: required, advisory, … */
  type: CapabilityStatus;
  status: CapabilityOutcome;
  tests: TestVerdict[];
}

export interface VerdictContext {
  version: string;
  target: Target;
  types: readonly CapabilityStatus[];
  /** The product's display name, e.g. `OpenStack Powered Storage`. */
  product?: string;
  /** Set when a capability filter narrowed the selection: a pass is then no full guideline check. */
  capabilityPatterns?: readonly string[];
}

export interface Verdict {
  context: VerdictContext & { includeFlagged: boolean; pinned?: Selection['pinned']; addOn: boolean };
  capabilities: CapabilityVerdict[];
  compliant: boolean;
  passedCapabilities: number;
  totalCapabilities: number;
  /** Ids of the capabilities that did not pass. */
  failing: string[];
}

const RANK: Record<TestOutcome, number> = { missing: 0, skipped: 1, failed: 2, passed: 3 };
/** As the live progress counts them (src/tempest/progress.ts): xfail passes, uxsuccess fails. */
const OUTCOME: Record<TestStatus, TestOutcome> = {
  success: 'passed',
  fail: 'failed',
  xfail: 'passed',
  uxsuccess: 'failed',
  skip: 'skipped',
  'not-run': 'missing',
};

/**
 * A test passed when its name, one of its aliases or its idempotent id passed (the best result wins).
 * A capability passes when all its non-flagged tests passed; otherwise it fails if one of them failed,
 * is skipped if one was skipped, and is missing if they were not run at all.
 */
export function computeVerdict(selection: Selection, results: readonly TestResult[]): Verdict {
  const byName = new Map<string, TestOutcome>();
  const byUuid = new Map<string, TestOutcome>();
  const keep = (map: Map<string, TestOutcome>, key: string, outcome: TestOutcome) => {
    const seen = map.get(key);
    if (seen === undefined || RANK[outcome] > RANK[seen]) map.set(key, outcome);
  };
  for (const r of results) {
    keep(byName, r.name, OUTCOME[r.status]);
    if (r.uuid) keep(byUuid, r.uuid.toLowerCase(), OUTCOME[r.status]);
  }
  const outcomeOf = (test: Selection['tests'][number]): TestOutcome => {
    const found = [test.name, ...test.aliases].map((n) => byName.get(n));
    if (test.uuid) found.push(byUuid.get(test.uuid));
    return found.reduce<TestOutcome>(
      (best, o) => (o !== undefined && RANK[o] > RANK[best] ? o : best),
      'missing',
    );
  };

  const capabilities = selection.capabilities.map((capability): CapabilityVerdict => {
    const tests = capability.tests.map((t) => ({ name: t.name, flagged: t.flagged, outcome: outcomeOf(t) }));
    const count = (o: TestOutcome) => tests.filter((t) => t.outcome === o).length;
    const required = tests.filter((t) => !t.flagged);
    const has = (o: TestOutcome) => required.some((t) => t.outcome === o);
    const status: CapabilityOutcome = required.every((t) => t.outcome === 'passed')
      ? 'pass'
      : has('failed')
        ? 'fail'
        : has('skipped')
          ? 'skip'
          : 'missing';
    return {
      id: capability.id,
      type: capability.status,
      status,
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      missing: count('missing'),
      flagged: tests.length - required.length,
      total: tests.length,
      tests,
    };
  });
  const failing = capabilities.filter((c) => c.status !== 'pass').map((c) => c.id);
  return {
    context: {
      version: selection.version,
      target: selection.target,
      types: selection.types,
      product: selection.product,
      includeFlagged: selection.includeFlagged,
      addOn: selection.target === 'dns' || selection.target === 'orchestration',
      ...(selection.capabilityPatterns ? { capabilityPatterns: selection.capabilityPatterns } : {}),
      ...(selection.pinned ? { pinned: selection.pinned } : {}),
    },
    capabilities,
    compliant: capabilities.length > 0 && failing.length === 0,
    passedCapabilities: capabilities.length - failing.length,
    totalCapabilities: capabilities.length,
    failing,
  };
}

const MAX_LISTED = 10;

/** One line: the answer. */
export function formatAnswer(verdict: Verdict, context: VerdictContext = verdict.context): string {
  const types = context.types.join(',');
  const { passedCapabilities: passed, totalCapabilities: total } = verdict;
  const partial = context.capabilityPatterns?.length
    ? ` (only capabilities matching ${context.capabilityPatterns.join(', ')}: not a full guideline check)`
    : '';
  if (total === 0) return `${context.version} ${context.target} ${types}: no capabilities selected`;
  if (verdict.compliant) {
    const product = context.product ?? context.target;
    const label = verdict.context.addOn
      ? `${product} add-on ${context.version}`
      : `${product} ${context.version}`;
    return `${label}: ${passed} of ${total} ${types} capabilities pass${partial}`;
  }
  const listed = verdict.failing.slice(0, MAX_LISTED).join(', ');
  const more = verdict.failing.length > MAX_LISTED ? `, and ${verdict.failing.length - MAX_LISTED} more` : '';
  return `${context.version} ${context.target} ${types}: ${passed} of ${total} capabilities pass, NOT compliant: ${listed}${more}${partial}`;
}

/** A compact table, one row per capability, then the answer line. */
export function formatVerdict(verdict: Verdict, context: VerdictContext = verdict.context): string {
  const width = Math.max('capability'.length, ...verdict.capabilities.map((c) => c.id.length));
  const num = (n: number) => String(n).padStart(4);
  const rows = [
    `${'capability'.padEnd(width)}  ${'type'.padEnd(10)}${'status'.padEnd(8)}pass fail skip miss`,
    ...verdict.capabilities.map(
      (c) =>
        `${c.id.padEnd(width)}  ${c.type.padEnd(10)}${c.status.padEnd(8)}${num(c.passed)} ${num(c.failed)} ${num(c.skipped)} ${num(c.missing)}`,
    ),
  ];
  return `${rows.join('\n')}\n\n${formatAnswer(verdict, context)}\n`;
}

/** The rule of an interop guideline's verdict, as summary.json names it. */
export const GUIDELINE_RULE = {
  id: 'interop-capabilities',
  text:
    'as the RefStack UI counts: a capability passes when each of its non-flagged tests passed (by name, ' +
    'alias or idempotent id); compliant when every selected capability passes',
} as const;

export interface SummaryJson {
  rule: { id: string; text: string };
  version: string;
  target: Target;
  product?: string;
  types: CapabilityStatus[];
  includeFlagged: boolean;
  capabilityPatterns?: string[];
  tempestCommit?: string;
  testRepository?: { key: string; repository: string; reference: string };
  compliant: boolean;
  passedCapabilities: number;
  totalCapabilities: number;
  failing: string[];
  capabilities: (CapabilityCounts & {
    id: string;
    type: CapabilityStatus;
    status: CapabilityOutcome;
    failedTests: string[];
    missingTests: string[];
  })[];
  /** Every selected test with no result (not run or absent), by name. */
  missingTests: string[];
  /** Selected tests the installed Tempest does not have (from matchTests), by name. */
  notInstalled?: string[];
}

/** The verdict as a plain object for summary.json. */
export function summaryJson(verdict: Verdict, extra: { notInstalled?: readonly string[] } = {}): SummaryJson {
  const { context } = verdict;
  const names = (c: CapabilityVerdict, o: TestOutcome) =>
    c.tests.filter((t) => t.outcome === o).map((t) => t.name);
  const missing = new Set(verdict.capabilities.flatMap((c) => names(c, 'missing')));
  return {
    rule: { ...GUIDELINE_RULE },
    version: context.version,
    target: context.target,
    ...(context.product ? { product: context.product } : {}),
    types: [...context.types],
    includeFlagged: context.includeFlagged,
    ...(context.capabilityPatterns ? { capabilityPatterns: [...context.capabilityPatterns] } : {}),
    ...(context.pinned?.key === 'tempest' ? { tempestCommit: context.pinned.reference } : {}),
    ...(context.pinned ? { testRepository: { ...context.pinned } } : {}),
    compliant: verdict.compliant,
    passedCapabilities: verdict.passedCapabilities,
    totalCapabilities: verdict.totalCapabilities,
    failing: [...verdict.failing],
    capabilities: verdict.capabilities.map(({ tests: _tests, ...c }) => ({
      ...c,
      failedTests: names({ ...c, tests: _tests }, 'failed'),
      missingTests: names({ ...c, tests: _tests }, 'missing'),
    })),
    missingTests: [...missing],
    ...(extra.notInstalled ? { notInstalled: [...extra.notInstalled] } : {}),
  };
}
