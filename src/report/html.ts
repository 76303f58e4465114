/**
 * report.html of one run (pure): the verdict first, then the capabilities, the failed tests with their
 * reason and traceback, the skipped ones, what the installed Tempest lacks, the slowest tests and the
 * run's facts. Every text is HTML-escaped; the inputs are the results folder's files, already redacted.
 */
import { badge, esc, page, raw, table, testName } from './html-kit.js';
import { buildReportModel, formatDuration, type ReportModel, type StandardReport } from './model.js';
import type { ResultsFolderData } from '../results/read-folder.js';

/** Tracebacks are kept to their last characters (where the exception is); the whole text is in junit.xml. */
export const MAX_TRACEBACK_CHARS = 4000;
/** Failed tests shown with their traceback; the others with their reason only. */
export const MAX_TRACEBACKS = 100;
const MAX_REASON_CHARS = 600;

/** The report of a results folder, as report.html holds it. */
export function renderFolderReport(folder: ResultsFolderData): string {
  return renderReport(buildReportModel(folder));
}

export function renderReport(m: ReportModel): string {
  const sections = [
    verdictSection(m),
    standardSection(m),
    capabilitiesSection(m),
    failedSection(m),
    skippedSection(m),
    notInstalledSection(m),
    slowestSection(m),
    factsSection(m),
  ];
  const body =
    `<header><h1>tcup report: ${esc(m.title)}</h1></header>\n<main>\n${sections.filter(Boolean).join('\n')}\n</main>\n` +
    `<footer>Written by tcup from the files of the results folder ${esc(m.name)} (regenerate with <code>tcup report ${esc(m.name)}</code>).</footer>`;
  return page(`tcup: ${m.word}, ${m.title}`, body);
}

function verdictSection(m: ReportModel): string {
  const c = m.counts;
  const count = (key: string, label: string, n: number) =>
    `<div data-count="${key}"><dt>${esc(label)}</dt><dd>${n}</dd></div>`;
  const tentative = m.standard?.result === 'tentative';
  const cls = tentative ? 'ok tentative' : m.compliant ? 'ok' : 'bad';
  const result = m.standard ? ` data-result="${esc(m.standard.result)}"` : '';
  return `<section aria-labelledby="verdict-h">
<h2 id="verdict-h">Verdict</h2>
<div class="verdict ${cls}" id="verdict" data-compliant="${m.compliant}"${result}>
<p><strong id="verdict-word">${esc(m.word)}</strong> — ${esc(m.title)}</p>
<p class="answer" id="verdict-answer">${esc(m.answer)}</p>
<p class="rule" id="verdict-rule">Rule: ${esc(m.rule)}</p>
</div>
<dl class="counts" aria-label="test counts">
${count('tests', m.standard ? 'listed tests' : 'tests', c.tests)}
${count('passed', 'passed', c.passed)}
${count('failed', 'failed', c.failed)}
${count('skipped', 'skipped', c.skipped)}
${count('notRun', 'not run', c.notRun)}
${count('notInstalled', 'not in this Tempest', c.notInstalled)}
</dl>
</section>`;
}

const RESULT_WORDS: Record<StandardReport['result'], string> = {
  compliant: 'compliant: no listed test failed',
  tentative: 'TENTATIVE pass: no listed test failed, but not every listed test has a result',
  'not-compliant': 'NOT compliant: a listed test failed',
};

/** A standard's run (SCS-0128): the standard, the result and why, the rule as tcup applied it. */
function standardSection(m: ReportModel): string {
  const s = m.standard;
  if (!s) return '';
  const fact = (key: string, label: string, value: string) =>
    `<dt>${esc(label)}</dt><dd data-standard="${key}">${esc(value)}</dd>`;
  const noResult = s.noResult.reduce((n, g) => n + g.tests.length, 0);
  const facts = [
    fact(
      'standard',
      'standard',
      `${s.label}${s.title ? `: ${s.title}` : ''}${s.status ? ` (${s.status})` : ''}`,
    ),
    ...(s.source ? [fact('source', 'list from', s.source)] : []),
    fact('result', 'result', RESULT_WORDS[s.result]),
    ...(s.rule.text ? [fact('rule', `rule${s.rule.id ? ` (${s.rule.id})` : ''}`, s.rule.text)] : []),
    fact('applied', 'applied as', s.rule.applied),
  ];
  const why =
    noResult === 0
      ? ''
      : `<h3 id="no-result-h">${esc(
          s.result === 'tentative'
            ? `Why TENTATIVE: ${noResult} of ${s.listed} listed tests have no result`
            : `${noResult} of ${s.listed} listed tests have no result`,
        )}</h3>
${table({
  caption: 'Listed tests without a result, by reason',
  className: 'no-result',
  head: ['reason', 'outcome', 'tests', 'which'],
  numeric: [2],
  rows: s.noResult.map((g) => ({
    cells: [
      clip(g.reason || '(no reason given)', MAX_REASON_CHARS, 'summary.json'),
      g.outcome,
      g.tests.length,
      g.tests.length === 1
        ? testName(g.tests[0]!)
        : raw(`<ul class="names">${g.tests.map((n) => `<li>${testName(n).html}</li>`).join('')}</ul>`),
    ],
    attrs: { 'data-outcome': g.outcome, 'data-tests': String(g.tests.length) },
  })),
})}`;
  const fixtures =
    s.failedFixtures.length === 0
      ? ''
      : table({
          caption: 'Failed fixtures of listed tests (Tempest reports them as failed test cases)',
          className: 'failed-fixtures',
          head: ['fixture', 'reason'],
          rows: s.failedFixtures.map((f) => ({
            cells: [testName(f.name), clip(f.reason || '(no reason given)', MAX_REASON_CHARS, 'tests.json')],
          })),
        });
  return `<section aria-labelledby="standard-h">
<h2 id="standard-h">Standard</h2>
<dl class="facts standard">
${facts.join('\n')}
</dl>
${[why, fixtures].filter(Boolean).join('\n')}
</section>`;
}

function capabilitiesSection(m: ReportModel): string {
  if (m.capabilities.length === 0) return '';
  const passing = m.capabilities.filter((c) => c.state === 'pass').length;
  return `<section aria-labelledby="cap-h">
<h2 id="cap-h">Capabilities</h2>
${table({
  caption: `${passing} of ${m.capabilities.length} capabilities pass`,
  className: 'capabilities',
  head: ['capability', 'type', 'status', 'passed', 'failed', 'skipped', 'not run', 'missing', 'tests'],
  numeric: [3, 4, 5, 6, 7, 8],
  rows: m.capabilities.map((c) => ({
    cells: [
      c.id,
      c.type,
      badge(c.state),
      c.passed,
      c.failed,
      c.skipped,
      c.notRun,
      c.missing,
      c.flagged ? `${c.total} (${c.flagged} flagged)` : c.total,
    ],
    attrs: { 'data-capability': c.id, 'data-status': c.state },
  })),
})}
</section>`;
}

function clip(text: string, max: number, where: string): string {
  if (text.length <= max) return text;
  return `[… ${text.length - max} characters left out: the whole text is in ${where}]\n${text.slice(-max)}`;
}

function failedSection(m: ReportModel): string {
  if (m.failed.length === 0) return '';
  const items = m.failed.map((t, i) => {
    const reason = t.reason
      ? `<p class="reason"><strong>Reason:</strong> ${esc(clip(t.reason, MAX_REASON_CHARS, 'tests.json'))}</p>`
      : '';
    const traceback =
      t.traceback && i < MAX_TRACEBACKS
        ? `<pre aria-label="traceback">${esc(clip(t.traceback, MAX_TRACEBACK_CHARS, 'junit.xml'))}</pre>`
        : t.traceback
          ? '<p class="muted">Traceback in junit.xml.</p>'
          : '';
    const took =
      t.durationMs !== undefined ? ` <span class="muted">(${esc(formatDuration(t.durationMs))})</span>` : '';
    return `<section class="failure" data-test="${esc(t.name)}"><h3>${testName(t.name).html}${took}</h3>${reason}${traceback}</section>`;
  });
  const more =
    m.failed.length > MAX_TRACEBACKS
      ? `<p class="muted">The first ${MAX_TRACEBACKS} failures are shown with their traceback; the others with their reason (every traceback is in junit.xml).</p>`
      : '';
  return `<section aria-labelledby="failed-h">
<h2 id="failed-h">Failed tests (${m.failed.length})</h2>
${more}
${items.join('\n')}
</section>`;
}

function skippedSection(m: ReportModel): string {
  if (m.skipped.length === 0 && m.notRunClasses.length === 0 && m.notRunTests.length === 0) return '';
  const parts: string[] = [];
  if (m.skipped.length > 0) {
    // One row per reason: a 2,000-test run skips many tests for the same reason.
    const byReason = new Map<string, string[]>();
    for (const s of m.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.name]);
    parts.push(
      table({
        caption: `${m.skipped.length} skipped tests, by reason`,
        className: 'skipped',
        head: ['reason', 'tests', 'which'],
        numeric: [1],
        rows: [...byReason].map(([reason, names]) => ({
          cells: [
            clip(reason || '(no reason given)', MAX_REASON_CHARS, 'tests.json'),
            names.length,
            names.length === 1
              ? testName(names[0]!)
              : raw(`<ul class="names">${names.map((n) => `<li>${testName(n).html}</li>`).join('')}</ul>`),
          ],
        })),
      }),
    );
  }
  if (m.notRunClasses.length > 0)
    parts.push(
      table({
        caption: 'Classes whose tests did not run (their setup was skipped or failed)',
        className: 'not-run-classes',
        head: ['class', 'status', 'reason'],
        rows: m.notRunClasses.map((r) => ({
          cells: [
            testName(r.class),
            `${r.status} in ${r.phase}`,
            clip(r.reason, MAX_REASON_CHARS, 'tests.json'),
          ],
        })),
      }),
    );
  if (m.notRunTests.length > 0)
    parts.push(
      `<h3>Tests with no result (${m.notRunTests.length})</h3><ul class="names not-run">${m.notRunTests.map((n) => `<li>${testName(n).html}</li>`).join('')}</ul>`,
    );
  return `<section aria-labelledby="skipped-h">
<h2 id="skipped-h">Skipped and not run</h2>
${parts.join('\n')}
</section>`;
}

function notInstalledSection(m: ReportModel): string {
  if (m.notInstalled.length === 0) return '';
  return `<section aria-labelledby="missing-h">
<h2 id="missing-h">Not in the installed Tempest (${m.notInstalled.length})</h2>
<p class="muted">Requested by the guideline or the list, but the installed Tempest has no test of this name, alias or idempotent id: they count as missing.</p>
<ul class="names not-installed">${m.notInstalled.map((n) => `<li>${testName(n).html}</li>`).join('')}</ul>
</section>`;
}

function slowestSection(m: ReportModel): string {
  if (m.slowest.length === 0) return '';
  return `<section aria-labelledby="slow-h">
<h2 id="slow-h">Slowest tests</h2>
${table({
  caption: `The ${m.slowest.length} slowest tests`,
  className: 'slowest',
  head: ['test', 'status', 'duration'],
  numeric: [2],
  rows: m.slowest.map((t) => ({ cells: [testName(t.name), badge(t.state), formatDuration(t.durationMs)] })),
})}
</section>`;
}

function factsSection(m: ReportModel): string {
  return `<section aria-labelledby="facts-h">
<h2 id="facts-h">The run</h2>
<dl class="facts">
${m.facts.map((f) => `<dt>${esc(f.label)}</dt><dd data-fact="${esc(f.label)}">${esc(f.value)}</dd>`).join('\n')}
</dl>
</section>`;
}
