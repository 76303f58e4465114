/** The verdict step: per-test counts, the guideline's answer, and what goes into summary.json. */
import { skipHints } from '../../guidelines/hints.js';
import { computeVerdict, formatVerdict, summaryJson } from '../../guidelines/verdict.js';
import {
  computeStandardVerdict,
  FIXTURE,
  formatStandardAnswer,
  standardDetails,
  standardSummaryJson,
} from '../../guidelines/standard.js';
import type { Reporter } from '../../core/log.js';
import type { TestResult } from '../../results/tests.js';
import type { MatchedSelection, ResolvedSelection } from './selection.js';

export interface Judgement {
  /** The run exits 0: the guideline's capabilities pass, or the standard's rule holds (a tentative pass too). */
  compliant: boolean;
  summary: Record<string, unknown>;
  /** The tests the verdict counted: with --rerun-failed, the earlier passes merged in. */
  tests: TestResult[];
}

export function judge(
  selection: ResolvedSelection,
  matched: MatchedSelection,
  results: readonly TestResult[],
  reporter: Reporter,
): Judgement {
  const fresh = new Map(results.map((t) => [t.name, t]));
  // An earlier fixture result (a class skipped or failed in setup) is stale once its class ran again.
  const ranAgain = (t: TestResult) => {
    const scope = FIXTURE.exec(t.name)?.[2];
    return scope !== undefined && results.some((r) => r.name.startsWith(`${scope}.`));
  };
  const earlier = (selection.previous ?? []).filter((t) => !fresh.has(t.name) && !ranAgain(t));
  const tests = [...earlier, ...results];
  const listed = tests.filter((t) => !FIXTURE.test(t.name));
  const count = (s: TestResult['status']) => listed.filter((t) => t.status === s).length;
  const counts = {
    tests: listed.length,
    // As the live progress counts them: an expected failure passes, an unexpected success fails.
    passed: count('success') + count('xfail'),
    failed: count('fail') + count('uxsuccess'),
    skipped: count('skip'),
    notRun: count('not-run'),
    notInstalled: matched.missing.length,
  };
  reporter.step(
    `${counts.tests} tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped, ` +
      `${counts.notRun} not run${counts.notInstalled ? `, ${counts.notInstalled} not in this Tempest` : ''}`,
  );
  // Why tests did not run: a class that failed or was skipped in setup reports one fixture result.
  const notRunReasons = tests
    .map((t) => ({ t, m: FIXTURE.exec(t.name) }))
    .filter(({ t, m }) => m !== null && t.status !== 'success')
    .map(({ t, m }) => ({ class: m![2]!, phase: m![1]!, status: t.status, reason: t.reason ?? '' }));
  const hints = skipHints(tests.filter((t) => t.status === 'skip'));
  if (selection.standard) {
    // The standard's own report groups these by reason: a cloud without compute has one for most.
    const verdict = computeStandardVerdict(selection.standard, tests, {
      notInstalled: matched.missing,
      installedNames: matched.renamed,
    });
    for (const line of standardDetails(verdict)) reporter[line.level](line.text);
    for (const hint of hints) reporter.warn(`hint: ${hint}`);
    reporter.step(formatStandardAnswer(verdict));
    return {
      compliant: verdict.compliant,
      summary: { ...standardSummaryJson(verdict), counts, notRunReasons, hints },
      tests,
    };
  }
  for (const r of notRunReasons)
    reporter.warn(`not run: ${r.class} (${r.status} in ${r.phase}${r.reason ? `: ${r.reason}` : ''})`);
  for (const t of listed.filter((x) => x.status === 'skip' && x.reason).slice(0, 20))
    reporter.info(`skipped ${t.name}: ${t.reason}`);
  for (const hint of hints) reporter.warn(`hint: ${hint}`);

  if (!selection.guideline) {
    const compliant = counts.passed === counts.tests && counts.notInstalled === 0;
    reporter.step(compliant ? 'every listed test passed' : 'NOT every listed test passed');
    return {
      compliant,
      summary: { counts, missing: matched.missing, notRunReasons, hints, compliant },
      tests,
    };
  }
  const verdict = computeVerdict(selection.guideline, tests);
  const lines = formatVerdict(verdict).trimEnd().split('\n');
  for (const line of lines.slice(0, -1).filter((l) => l.trim() !== '')) reporter.info(line);
  reporter.step(lines[lines.length - 1]!);
  return {
    compliant: verdict.compliant,
    summary: { ...summaryJson(verdict, { notInstalled: matched.missing }), counts, notRunReasons, hints },
    tests,
  };
}
