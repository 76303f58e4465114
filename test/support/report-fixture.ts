/**
 * A results folder as a real run writes it, without running Tempest: the bundled 2020.06 object
 * guideline (or the bundled standard SCS-0128, `--target scs-0128`), per-test results of the shape the
 * container reports, the verdict step of the pipeline, a junit.xml as subunit2junitxml writes it, and
 * the real results-folder writer (report.html included).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporter } from '../../src/core/log.js';
import { loadBundledGuideline } from '../../src/guidelines/load.js';
import { selectTests } from '../../src/guidelines/select.js';
import { loadStandard } from '../../src/guidelines/standard.js';
import { judge } from '../../src/pipeline/steps/verdict.js';
import type { MatchedSelection } from '../../src/pipeline/steps/selection.js';
import { createRedactor } from '../../src/redaction/redactor.js';
import { renderFolderReport } from '../../src/report/html.js';
import { createResultsDir, writeResultsFolder } from '../../src/results/folder.js';
import { buildRefstackDocument, type TestResult } from '../../src/results/tests.js';

export interface FixtureOptions {
  /** Run the bundled standard's list (as `--target scs-0128`) instead of the 2020.06 object guideline. */
  standard?: 'scs-0128';
  /** Test names (or name suffixes) made to fail. */
  fail?: string[];
  /** Test names (or suffixes) that are expected failures (xfail), and unexpected successes (uxsuccess). */
  xfail?: string[];
  uxsuccess?: string[];
  /**
   * Classes (full names) skipped or failed in setUpClass: their tests have no result, the class one
   * `setUpClass (CLASS)` result, as Tempest reports a class that raised in setUpClass.
   */
  classSetup?: { class: string; status: 'skip' | 'fail'; reason: string }[];
  /** Test names (or suffixes) skipped, with this reason. */
  skip?: { match: string; reason: string }[];
  /** Requested tests the "installed Tempest" lacks. */
  notInstalled?: string[];
  /** A password that appears in a failure's traceback and reason (it must be redacted). */
  secret?: string;
  dir?: string;
}

export interface Fixture {
  dir: string;
  tests: TestResult[];
  summary: Record<string, unknown>;
  secret: string;
  /** What the run printed (its tcup.log), redacted. */
  log: string;
}

/** Escaped as python-junitxml escapes (`'` is left as it is). */
const xml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Tempest's failure text: a traceback whose last line is the reason tcup keeps. */
function traceback(name: string, secret: string): { text: string; reason: string } {
  const method = name.split('.').pop()!;
  const reason = `tempest.lib.exceptions.Unauthorized: Unauthorized (HTTP 401): password ${secret} <rejected> & "logged"`;
  const text = [
    'Traceback (most recent call last):',
    `  File "/usr/lib/python3/dist-packages/${name.split('.').slice(0, -2).join('/')}.py", line 42, in ${method}`,
    '    resp, body = self.container_client.create_container(self.container_name)',
    '  File "/usr/lib/python3/dist-packages/tempest/lib/common/rest_client.py", line 979, in _error_checker',
    '    raise exceptions.Unauthorized(resp_body, resp=resp)',
    reason,
  ].join('\n');
  return { text, reason };
}

export async function writeFixtureFolder(options: FixtureOptions = {}): Promise<Fixture> {
  const secret = options.secret ?? `pa'ss<w>&rd-${Math.random().toString(36).slice(2, 8)}`;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tcup-report-'));
  await createResultsDir(dir);
  const standard = options.standard ? loadStandard(options.standard) : undefined;
  const guideline = standard
    ? undefined
    : selectTests(loadBundledGuideline('2020.06', 'object'), { target: 'object' });
  const requested = standard?.tests ?? guideline!.tests;
  const notInstalled = new Set(options.notInstalled ?? []);
  const classSetup = options.classSetup ?? [];
  const setupOf = (name: string) => classSetup.find((c) => name.startsWith(`${c.class}.`));
  const matches = (name: string, m: string) => name === m || name.endsWith(m);
  const junit: string[] = [];
  const results: TestResult[] = [];
  for (const c of classSetup) {
    const name = `setUpClass (${c.class})`;
    results.push({ id: name, name, status: c.status, reason: c.reason });
    junit.push(
      `<testcase classname="" name="${xml(name)}" time="0.000">\n` +
        (c.status === 'skip'
          ? `<skipped>${xml(c.reason)}</skipped>`
          : `<error type="testtools.testresult.real._StringException">_StringException: ${xml(c.reason)}\n</error>`) +
        '\n</testcase>',
    );
  }
  requested
    .filter((t) => !notInstalled.has(t.name) && !setupOf(t.name))
    .forEach((t, i) => {
      const id = t.uuid ? `${t.name}[id-${t.uuid}]` : t.name;
      const durationMs = 40 + ((i * 137) % 900);
      const classname = t.name.slice(0, t.name.lastIndexOf('.'));
      const method = id.slice(classname.length + 1);
      const base = { id, name: t.name, ...(t.uuid ? { uuid: t.uuid } : {}), durationMs };
      const skip = options.skip?.find((s) => matches(t.name, s.match));
      if (options.fail?.some((f) => matches(t.name, f))) {
        const { text, reason } = traceback(t.name, secret);
        results.push({ ...base, status: 'fail', reason });
        junit.push(
          `<testcase classname="${xml(classname)}" name="${xml(method)}" time="${durationMs / 1000}">\n` +
            `<failure type="testtools.testresult.real._StringException">_StringException: ${xml(text)}\n</failure>\n</testcase>`,
        );
      } else if (options.uxsuccess?.some((f) => matches(t.name, f))) {
        results.push({ ...base, status: 'uxsuccess' });
        junit.push(
          `<testcase classname="${xml(classname)}" name="${xml(method)}" time="${durationMs / 1000}">\n` +
            `<failure type="unittest.case._UnexpectedSuccess"></failure>\n</testcase>`,
        );
      } else if (options.xfail?.some((f) => matches(t.name, f))) {
        results.push({ ...base, status: 'xfail', reason: 'expected: a known bug' });
        junit.push(
          `<testcase classname="${xml(classname)}" name="${xml(method)}" time="${durationMs / 1000}" />`,
        );
      } else if (skip) {
        results.push({ ...base, status: 'skip', reason: skip.reason });
        junit.push(
          `<testcase classname="${xml(classname)}" name="${xml(method)}" time="0.000">\n<skipped>${xml(skip.reason)}</skipped>\n</testcase>`,
        );
      } else {
        results.push({ ...base, status: 'success' });
        junit.push(
          `<testcase classname="${xml(classname)}" name="${xml(method)}" time="${durationMs / 1000}" />`,
        );
      }
    });
  const failures = results.filter((r) => r.status === 'fail').length;
  const junitXml =
    `<testsuite errors="0" failures="${failures}" name="" tests="${results.length}" time="12.345">\n` +
    `${junit.join('\n')}\n</testsuite>\n`;

  const redactor = createRedactor([secret]);
  const reporter = createReporter({
    write: () => undefined,
    isTTY: false,
    verbose: false,
    redact: (t) => redactor.redact(t),
  });
  const matched: MatchedSelection = {
    ids: results.filter((r) => !r.name.startsWith('setUpClass (')).map((r) => r.id),
    missing: [...notInstalled],
    renamed: {},
  };
  const selection = standard
    ? { standard, tests: standard.tests, plugins: [] }
    : { guideline: guideline!, tests: guideline!.tests, plugins: [] };
  const verdict = judge(selection, matched, results, reporter);
  const durationSeconds = 754.2;
  const summary = {
    ...verdict.summary,
    run: {
      tcupVersion: '0.1.0',
      image: 'tcup-tempest:0123456789ab',
      concurrency: 2,
      cpid: '6b0e8b1c4f5a4d3e9f2a1b0c9d8e7f6a',
      startedAt: '2026-12-01T09:00:00.000Z',
      durationSeconds,
    },
  };
  await writeResultsFolder(
    dir,
    {
      files: new Map([
        ['junit.xml', Buffer.from(junitXml)],
        ['tempest.log', Buffer.from(`2026-12-01 09:00:01 DEBUG auth password=${secret}\n`)],
      ]),
      tests: verdict.tests,
      // As the pipeline: a standard is no RefStack guideline, so no refstack.json.
      ...(standard
        ? {}
        : { refstack: buildRefstackDocument(verdict.tests, summary.run.cpid, durationSeconds) }),
      summary,
      missing: [...notInstalled],
      log: reporter.transcript(),
      report: renderFolderReport,
    },
    redactor,
    redactor.secrets(),
  );
  return { dir, tests: verdict.tests, summary, secret, log: redactor.redact(reporter.transcript()) };
}
