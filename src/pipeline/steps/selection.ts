/** Step 3: what to run (a guideline's tests, a list, or what failed before) and step 5: matching it to Tempest. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TcupError } from '../../core/errors.js';
import { describeNetworkError, type HttpClient } from '../../core/http.js';
import { loadBundledGuideline, parseGuideline } from '../../guidelines/load.js';
import { matchTests, type RequestedTest } from '../../guidelines/match.js';
import {
  CAPABILITY_STATUSES,
  isStandardTarget,
  PLUGINS,
  type CapabilityStatus,
  type RunTarget,
} from '../../guidelines/model.js';
import { selectTests, type Selection } from '../../guidelines/select.js';
import { loadStandard, type StandardSelection } from '../../guidelines/standard.js';
import { parseTestList } from '../../guidelines/test-list.js';
import type { Reporter } from '../../core/log.js';
import type { TestResult } from '../../results/tests.js';

export interface ResolvedSelection {
  /** The guideline selection (absent for a plain --test-list run and for a standard). */
  guideline?: Selection;
  /** A standard that is a plain list with a rule (`--target scs-0128`). */
  standard?: StandardSelection;
  tests: RequestedTest[];
  plugins: string[];
  /** Results of the earlier run being re-run (--rerun-failed), merged into the verdict. */
  previous?: TestResult[];
}

export interface MatchedSelection {
  /** Installed full test ids to run, in order. */
  ids: string[];
  /** Names of requested tests the installed Tempest does not have. */
  missing: string[];
  /** Requested name → installed name, for the tests found by alias or idempotent id. */
  renamed: Record<string, string>;
}

interface SelectionOptions {
  guideline: string;
  target: RunTarget;
  types: string[];
  includeFlagged: boolean;
  capabilities: string[];
  testList?: string | undefined;
  rerunFailed?: string | undefined;
  cwd: string;
}

export async function resolveSelection(
  http: HttpClient,
  options: SelectionOptions,
  reporter: Reporter,
): Promise<ResolvedSelection> {
  const plugins = PLUGINS[options.target] ?? [];
  if (isStandardTarget(options.target)) return resolveStandard(options, plugins, reporter);
  if (options.testList) {
    const tests = parseTestList(
      await readSource(http, options.testList, options.cwd, 'test list'),
      options.testList,
    );
    if (tests.length === 0) throw new TcupError('USAGE', `the test list ${options.testList} is empty`);
    reporter.step(`test list ${options.testList}: ${tests.length} tests`);
    return { tests, plugins };
  }
  const guideline = await loadGuideline(http, options);
  const types = options.types.filter((t): t is CapabilityStatus =>
    (CAPABILITY_STATUSES as readonly string[]).includes(t),
  );
  if (types.length !== options.types.length)
    throw new TcupError(
      'USAGE',
      `unknown --type ${options.types.join(',')}; valid: ${CAPABILITY_STATUSES.join(', ')}`,
    );
  const selection = selectTests(guideline, {
    target: options.target,
    types,
    includeFlagged: options.includeFlagged,
    capabilityPatterns: options.capabilities,
  });
  const flagged = selection.capabilities.flatMap((c) => c.tests).filter((t) => t.flagged).length;
  reporter.step(
    `guideline ${selection.version}, ${selection.product}, ${types.join('+')}: ` +
      `${selection.capabilities.length} capabilities, ${selection.tests.length} tests` +
      `${options.includeFlagged ? ` (${flagged} flagged included)` : ' (flagged tests left out)'}`,
  );
  if (selection.pinned) reporter.info(`written for ${selection.pinned.key} ${selection.pinned.reference}`);
  if (selection.tests.length === 0)
    throw new TcupError('USAGE', 'the selection has no tests', 'widen --type or --capability');

  if (!options.rerunFailed) return { guideline: selection, tests: selection.tests, plugins };
  const { tests, previous } = rerun(selection.tests, options.cwd, options.rerunFailed, reporter);
  return { guideline: selection, tests, plugins, previous };
}

/**
 * `--target scs-0128`: the standard's list and its rule. It is no interop guideline, so --guideline
 * (refused in the CLI when given), --type, --include-flagged, --capability and --test-list do not apply.
 */
function resolveStandard(
  options: SelectionOptions,
  plugins: string[],
  reporter: Reporter,
): ResolvedSelection {
  const standard = loadStandard(options.target);
  const refuse = (option: string) =>
    new TcupError(
      'USAGE',
      `${option} does not apply to --target ${standard.id}: ${standard.label} is a plain list of Tempest tests, without capabilities`,
      `drop ${option}; run a part of the list with --test-list FILE instead (no ${standard.name} verdict then)`,
    );
  if (options.testList) throw refuse('--test-list');
  if (options.capabilities.some((c) => c.trim() !== '')) throw refuse('--capability');
  if (options.includeFlagged) throw refuse('--include-flagged');
  if (options.types.some((t) => t !== 'required')) throw refuse('--type');
  reporter.step(
    `${standard.label} "${standard.title}" (${standard.status}): ${standard.tests.length} tests; ` +
      `rule: ${standard.ruleText}`,
  );
  reporter.info(
    `list from ${standard.source.repository} ${standard.source.path} @ ${standard.source.commit.slice(0, 12)} ` +
      `(${standard.source.date}), ${standard.licence.name}`,
  );
  if (!options.rerunFailed) return { standard, tests: standard.tests, plugins };
  const { tests, previous } = rerun(standard.tests, options.cwd, options.rerunFailed, reporter);
  return { standard, tests, plugins, previous };
}

/** --rerun-failed: the requested tests that did not pass in the earlier run, and its results. */
function rerun<T extends RequestedTest>(
  requested: T[],
  cwd: string,
  dir: string,
  reporter: Reporter,
): { tests: T[]; previous: TestResult[] } {
  const previous = readPreviousResults(resolve(cwd, dir));
  const passed = new Set(
    previous.filter((t) => t.status === 'success' || t.status === 'xfail').map((t) => t.name),
  );
  const again = requested.filter((t) => !passed.has(t.name) && !t.aliases.some((a) => passed.has(a)));
  reporter.step(`re-running ${again.length} of ${requested.length} tests (${passed.size} passed in ${dir})`);
  if (again.length === 0)
    throw new TcupError('USAGE', `nothing to re-run: every selected test passed in ${dir}`);
  return { tests: again, previous };
}

export function matchSelection(
  selection: ResolvedSelection,
  installed: string[],
  reporter: Reporter,
): MatchedSelection {
  const { matched, missing } = matchTests(selection.tests, installed);
  const renamed = matched.filter((m) => m.by !== 'name');
  for (const m of renamed)
    reporter.info(`${m.requested.name} is ${m.installedId.split('[')[0]} here (by ${m.by})`);
  if (missing.length > 0) {
    reporter.warn(`${missing.length} requested test(s) are not in the installed Tempest (see missing.txt):`);
    for (const t of missing) reporter.warn(`  missing: ${t.name}`);
  }
  if (matched.length === 0)
    throw new TcupError(
      'USAGE',
      'none of the requested tests exists in the installed Tempest',
      'check the list or the guideline',
    );
  reporter.step(`${matched.length} tests to run${missing.length ? `, ${missing.length} missing` : ''}`);
  return {
    ids: [...new Set(matched.map((m) => m.installedId))],
    missing: missing.map((t) => t.name),
    renamed: Object.fromEntries(renamed.map((m) => [m.requested.name, m.installedId.split('[')[0]!])),
  };
}

async function loadGuideline(http: HttpClient, options: SelectionOptions) {
  const g = options.guideline;
  if (/^https?:\/\//.test(g)) return parseGuideline(await readSource(http, g, options.cwd, 'guideline'), g);
  const path = resolve(options.cwd, g);
  if (g.endsWith('.json') || existsSync(path))
    return parseGuideline(await readSource(http, g, options.cwd, 'guideline'), g);
  return loadBundledGuideline(g, isStandardTarget(options.target) ? undefined : options.target);
}

/** A file's text, or a URL's body (200 only). */
async function readSource(http: HttpClient, source: string, cwd: string, what: string): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    let res;
    try {
      res = await http.request(source, { method: 'GET', retries: 2 });
    } catch (error) {
      throw new TcupError(
        'USAGE',
        `cannot fetch the ${what} ${source}: ${describeNetworkError(error)}`,
        'check the URL and HTTPS_PROXY',
      );
    }
    if (res.status !== 200)
      throw new TcupError('USAGE', `the ${what} URL ${source} answered HTTP ${res.status}`);
    return res.text;
  }
  try {
    return readFileSync(resolve(cwd, source), 'utf8');
  } catch (error) {
    throw new TcupError(
      'USAGE',
      `cannot read the ${what} ${source}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

function readPreviousResults(dir: string): TestResult[] {
  const file = dir.endsWith('.json') ? dir : join(dir, 'tests.json');
  try {
    const tests = JSON.parse(readFileSync(file, 'utf8')) as TestResult[];
    if (!Array.isArray(tests)) throw new Error('not a list');
    return tests;
  } catch (error) {
    throw new TcupError(
      'USAGE',
      `cannot read the earlier results ${file}: ${(error as Error).message}`,
      'pass a tcup results folder',
    );
  }
}
