/**
 * Several runs side by side (pure): runs of one cloud over time, or different clouds. Each run is
 * compared with the one before it on the command line: a test that passed there and does not pass here
 * (failed, skipped, not run or missing) is "newly failing"; one that did not pass there and passes here
 * is "newly passing". What differs comes first. The same comparison as HTML and as a terminal table.
 */
import { badge, esc, page, raw, table, testName, type Content } from './html-kit.js';
import type { Counts, ReportModel, State } from './model.js';

export type Change = 'newly failing' | 'newly passing';

export interface Cell {
  /** Undefined: not part of that run. */
  state?: State;
  change?: Change;
}

export interface Row {
  key: string;
  cells: Cell[];
  differs: boolean;
}

export interface Comparison {
  runs: { label: string; name: string; title: string; answer: string; compliant: boolean; counts: Counts }[];
  capabilities: Row[];
  tests: Row[];
}

export function compareRuns(models: readonly ReportModel[]): Comparison {
  const names = models.map((m) => m.name);
  const labels = names.map((n, i) =>
    names.indexOf(n) !== i || names.lastIndexOf(n) !== i ? `${i + 1}:${n}` : n,
  );
  const capabilities = rows(models.map((m) => new Map(m.capabilities.map((c) => [c.id, c.state]))));
  const tests = rows(models.map((m) => m.states));
  return {
    runs: models.map((m, i) => ({
      label: labels[i]!,
      name: m.name,
      title: m.title,
      answer: m.answer,
      compliant: m.compliant,
      counts: m.counts,
    })),
    capabilities,
    tests,
  };
}

const RANK = (r: Row) =>
  r.cells.some((c) => c.change === 'newly failing')
    ? 0
    : r.cells.some((c) => c.change === 'newly passing')
      ? 1
      : r.differs
        ? 2
        : 3;

function rows(states: ReadonlyMap<string, State>[]): Row[] {
  const keys = [...new Set(states.flatMap((s) => [...s.keys()]))];
  const out = keys.map((key): Row => {
    const cells = states.map((s): Cell => {
      const state = s.get(key);
      return state === undefined ? {} : { state };
    });
    for (let i = 1; i < cells.length; i++) {
      const before = cells[i - 1]!.state;
      const now = cells[i]!.state;
      if (before === undefined || now === undefined) continue;
      if (before === 'pass' && now !== 'pass') cells[i]!.change = 'newly failing';
      else if (before !== 'pass' && now === 'pass') cells[i]!.change = 'newly passing';
    }
    const seen = new Set(cells.map((c) => c.state ?? '—'));
    return { key, cells, differs: seen.size > 1 };
  });
  return out.sort((a, b) => RANK(a) - RANK(b) || a.key.localeCompare(b.key));
}

// ------------------------------------------------------------------------------------------- html
function cell(c: Cell): Content {
  const mark = c.change
    ? ` <span class="change ${c.change === 'newly failing' ? 'worse' : 'better'}">${c.change === 'newly failing' ? '▼' : '▲'} ${esc(c.change)}</span>`
    : '';
  return raw(badge(c.state).html + mark);
}

export function renderComparison(cmp: Comparison): string {
  const runsTable = table({
    caption: `${cmp.runs.length} runs, each compared with the one before it`,
    className: 'runs',
    head: [
      '#',
      'results folder',
      'checked against',
      'verdict',
      'passed',
      'failed',
      'skipped',
      'not run',
      'not in Tempest',
    ],
    numeric: [4, 5, 6, 7, 8],
    rows: cmp.runs.map((r, i) => ({
      cells: [
        String(i + 1),
        r.label,
        r.title,
        raw(`${badge(r.compliant ? 'pass' : 'fail').html} ${esc(r.answer)}`),
        r.counts.passed,
        r.counts.failed,
        r.counts.skipped,
        r.counts.notRun,
        r.counts.notInstalled,
      ],
      attrs: { 'data-run': r.label },
    })),
  });
  const head = (first: string) => [first, ...cmp.runs.map((r, i) => `${i + 1}: ${r.label}`)];
  const section = (id: string, title: string, what: string, list: Row[], name: (k: string) => Content) => {
    if (list.length === 0) return '';
    const differing = list.filter((r) => r.differs).length;
    return `<section aria-labelledby="${id}-h">
<h2 id="${id}-h">${esc(title)}</h2>
<p class="muted">${differing} of ${list.length} ${esc(what)} differ between the runs; they come first.</p>
${table({
  caption: `${title}: what differs first`,
  className: id,
  head: head(what === 'tests' ? 'test' : 'capability'),
  rows: list.map((r) => ({
    cells: [name(r.key), ...r.cells.map(cell)],
    ...(r.differs ? { className: 'differs' } : {}),
    attrs: {
      'data-key': r.key,
      'data-changes': r.cells.map((c) => c.change ?? '').join('|'),
    },
  })),
})}
</section>`;
  };
  const body = `<header><h1>tcup comparison of ${cmp.runs.length} runs</h1></header>
<main>
<section aria-labelledby="runs-h">
<h2 id="runs-h">Runs</h2>
<p class="muted">Each run is compared with the one before it: <span class="change worse">▼ newly failing</span> passed there and does not pass here (failed, skipped, not run or missing); <span class="change better">▲ newly passing</span> did not pass there and passes here. — means not part of that run.</p>
${runsTable}
</section>
${section('capabilities', 'Capabilities', 'capabilities', cmp.capabilities, (k) => k)}
${section('tests', 'Tests', 'tests', cmp.tests, testName)}
</main>
<footer>Written by tcup report from the results folders ${cmp.runs.map((r) => esc(r.name)).join(', ')}.</footer>`;
  return page(`tcup comparison: ${cmp.runs.map((r) => r.label).join(' / ')}`, body);
}

// ------------------------------------------------------------------------------------------- text
export interface TextOptions {
  /** Terminal width in columns. */
  width: number;
  color: boolean;
  /** Rows of identical tests are left out of the terminal table (the HTML has them all). */
  showSame?: boolean;
}

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };

/** The comparison as a plain-text table fitted to the width (names shortened from the left). */
export function formatComparisonText(cmp: Comparison, options: TextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${ANSI.reset}` : text);
  const n = cmp.runs.length;
  const out: string[] = [];
  out.push(`runs (each compared with the one before it):`);
  cmp.runs.forEach((r, i) => {
    const c = r.counts;
    out.push(
      fit(`  ${i + 1}  ${r.label}: ${r.answer}`, options.width) +
        `\n     ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ${c.notRun} not run, ${c.notInstalled} not in Tempest`,
    );
  });
  const COL = 8; // 'missing' / 'not run' + a space
  const block = (title: string, list: Row[], what: string) => {
    const shown = options.showSame ? list : list.filter((r) => r.differs);
    const same = list.length - list.filter((r) => r.differs).length;
    out.push('');
    out.push(
      `${title}: ${list.length - same} of ${list.length} differ${!options.showSame && same > 0 ? ` (${same} the same in every run, not shown)` : ''}`,
    );
    if (shown.length === 0) return;
    const changeWidth = Math.max(0, ...shown.map((r) => changeText(r).length));
    const nameWidth = Math.max(12, options.width - n * COL - (changeWidth ? changeWidth + 2 : 0) - 1);
    const header =
      what.padEnd(nameWidth) +
      ' ' +
      cmp.runs.map((_, i) => String(i + 1).padEnd(COL)).join('') +
      (changeWidth ? '  change' : '');
    out.push(paint(ANSI.bold, header.trimEnd()));
    for (const r of shown) {
      const cells = r.cells
        .map((c) => {
          const word = (c.state ?? '—').padEnd(COL);
          return c.state === 'pass' ? paint(ANSI.green, word) : c.state ? paint(ANSI.red, word) : word;
        })
        .join('');
      const change = changeText(r);
      const line = `${shorten(r.key, nameWidth).padEnd(nameWidth)} ${cells}${change ? '  ' + paint(r.cells.some((c) => c.change === 'newly failing') ? ANSI.red + ANSI.bold : ANSI.green, change) : ''}`;
      out.push(line.trimEnd());
    }
  };
  block('capabilities', cmp.capabilities, 'capability');
  block('tests', cmp.tests, 'test');
  return out.join('\n') + '\n';
}

function changeText(r: Row): string {
  return r.cells
    .map((c, i) => (c.change ? `${c.change} in ${i + 1}` : ''))
    .filter(Boolean)
    .join(', ');
}

/** Keeps the end of a name (the test method) when it does not fit. */
function shorten(text: string, width: number): string {
  return text.length <= width ? text : '…' + text.slice(text.length - width + 1);
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…';
}
