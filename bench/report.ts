/** The bench's table: printed to the terminal and written, with the details, as bench/results.md. */

export interface Row {
  what: string;
  measured: string;
  goal: string;
  /** undefined: reported only, no goal. */
  pass: boolean | undefined;
}

const verdict = (row: Row) => (row.pass === undefined ? 'info' : row.pass ? 'pass' : 'FAIL');

export function formatTable(rows: readonly Row[]): string {
  const cells = [
    ['#', 'what', 'measured', 'goal', 'result'],
    ...rows.map((r, i) => [String(i + 1), r.what, r.measured, r.goal, verdict(r)]),
  ];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join(
    '\n',
  );
}

export function markdownTable(rows: readonly Row[]): string {
  const esc = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '| # | what | measured | goal | result |',
    '|---|------|----------|------|--------|',
    ...rows.map(
      (r, i) => `| ${i + 1} | ${esc(r.what)} | ${esc(r.measured)} | ${esc(r.goal)} | ${verdict(r)} |`,
    ),
  ].join('\n');
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
