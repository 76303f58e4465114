/**
 * `tcup report DIR [DIR...]`: report.html again from one results folder, or a comparison of several
 * (HTML to --output, default ./tcup-comparison.html, and the same as a table on stdout).
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT_OK, TcupError } from '../core/errors.js';
import type { Deps } from '../pipeline/options.js';
import { compareRuns, formatComparisonText, renderComparison } from '../report/compare.js';
import { renderReport } from '../report/html.js';
import { buildReportModel } from '../report/model.js';
import { readResultsFolder } from '../results/read-folder.js';

export const DEFAULT_COMPARISON = 'tcup-comparison.html';

export interface ReportCommandOptions {
  output?: string | undefined;
  /** Also list the tests with the same result in every run (the HTML always has them). */
  all?: boolean | undefined;
}

export function reportCommand(deps: Deps, dirs: string[], opts: ReportCommandOptions): number {
  if (dirs.length === 0) throw new TcupError('USAGE', 'tcup report needs a results folder');
  const models = dirs.map((d) => buildReportModel(readResultsFolder(resolve(deps.cwd, d), d)));
  const shown = (path: string) => {
    const rel = relative(deps.cwd, path);
    return rel && !rel.startsWith('..') ? rel : path;
  };
  if (models.length === 1) {
    const m = models[0]!;
    const out = opts.output
      ? resolve(deps.cwd, opts.output)
      : join(resolve(deps.cwd, dirs[0]!), 'report.html');
    write(out, deps.redactor.redact(renderReport(m)));
    const c = m.counts;
    deps.stdout.write(
      `${m.answer}\n${c.tests} tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped, ` +
        `${c.notRun} not run, ${c.notInstalled} not in this Tempest\nreport: ${shown(out)}\n`,
    );
    return EXIT_OK;
  }
  const comparison = compareRuns(models);
  const out = resolve(deps.cwd, opts.output ?? DEFAULT_COMPARISON);
  write(out, deps.redactor.redact(renderComparison(comparison)));
  const tty = deps.stdout.isTTY === true;
  const columns = Number(deps.env.COLUMNS);
  const width =
    tty && deps.stdout.columns
      ? deps.stdout.columns
      : Number.isInteger(columns) && columns > 0
        ? columns
        : 100;
  const color = tty && deps.env.NO_COLOR === undefined && deps.env.TERM !== 'dumb';
  deps.stdout.write(
    deps.redactor.redact(formatComparisonText(comparison, { width, color, showSame: opts.all === true })) +
      `\ncomparison: ${shown(out)}\n`,
  );
  return EXIT_OK;
}

function write(path: string, html: string): void {
  try {
    writeFileSync(path, html, { mode: 0o644 });
  } catch (error) {
    throw new TcupError(
      'RESULTS_MISSING',
      `cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'choose a writable file with --output',
      { cause: error },
    );
  }
}
