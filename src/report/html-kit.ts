/**
 * The pieces every tcup HTML page shares (pure): escaping, the page frame with its inline style, and
 * tables with real semantics. The pages have no script, no external resource, and a Content Security
 * Policy that forbids loading anything, so they open the same from a USB stick behind a firewall.
 */
import type { State } from './model.js';

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content and attribute values (the same entities the redactor knows as XML forms). */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** A trusted HTML fragment (already escaped). */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });

/** One cell's content: text (escaped) or a fragment. */
export type Content = string | number | Html;
const content = (c: Content) => (typeof c === 'object' ? c.html : esc(c));

export interface TableSpec {
  caption: string;
  className?: string;
  head: string[];
  /** Each row: the first cell is its header (`<th scope="row">`). */
  rows: { cells: Content[]; className?: string; attrs?: Record<string, string> }[];
  /** Indexes of numeric columns (right-aligned). */
  numeric?: number[];
}

export function table(spec: TableSpec): string {
  const numeric = new Set(spec.numeric ?? []);
  const cls = (i: number) => (numeric.has(i) ? ' class="num"' : '');
  const head = spec.head.map((h, i) => `<th scope="col"${cls(i)}>${esc(h)}</th>`).join('');
  const rows = spec.rows
    .map((r) => {
      const attrs = Object.entries(r.attrs ?? {})
        .map(([k, v]) => ` ${k}="${esc(v)}"`)
        .join('');
      const cells = r.cells
        .map((c, i) => (i === 0 ? `<th scope="row">${content(c)}</th>` : `<td${cls(i)}>${content(c)}</td>`))
        .join('');
      return `<tr${r.className ? ` class="${esc(r.className)}"` : ''}${attrs}>${cells}</tr>`;
    })
    .join('\n');
  return (
    `<div class="scroll"><table${spec.className ? ` class="${esc(spec.className)}"` : ''}>` +
    `<caption>${esc(spec.caption)}</caption><thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table></div>`
  );
}

/** A state as a badge: the word is always there (colour is never the only signal). */
export function badge(state: State | undefined): Html {
  if (state === undefined) return raw('<span class="st st-none">—</span>');
  return raw(`<span class="st st-${state.replace(' ', '-')}">${esc(state)}</span>`);
}

/** A test name that wraps at its dots on a narrow screen. */
export function testName(name: string): Html {
  return raw(`<span class="tn">${esc(name).replace(/\./g, '.<wbr>')}</span>`);
}

const STYLE = `
:root{--fg:#1a1a1a;--muted:#555;--bg:#fff;--line:#d0d0d0;--head:#f2f2f2;--pass:#0a6b2d;--pass-bg:#e3f4e8;
--fail:#a4141b;--fail-bg:#fbe4e4;--skip:#6b4e00;--skip-bg:#fcf1d6;--miss:#44465a;--miss-bg:#e9e9f2}
*{box-sizing:border-box}
body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1rem;margin:1.2rem 0 .3rem;overflow-wrap:anywhere}
.verdict{border:2px solid;border-radius:.4rem;padding:.8rem 1rem;margin:0 0 1rem}
.verdict.ok{border-color:var(--pass);background:var(--pass-bg)}.verdict.bad{border-color:var(--fail);background:var(--fail-bg)}
.verdict.tentative{border-color:var(--skip);background:var(--skip-bg)}
.verdict .answer{font-size:1.15rem;font-weight:600;margin:.2rem 0;overflow-wrap:anywhere}.verdict p{margin:.3rem 0}
.muted,.rule{color:var(--muted)}
dl.counts{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem;padding:0}
dl.counts div{border:1px solid var(--line);border-radius:.3rem;padding:.3rem .7rem;min-width:6.5rem}
dl.counts dt{font-size:.8rem;color:var(--muted)}dl.counts dd{margin:0;font-size:1.3rem;font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0;caption-side:top}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--head)}tbody th{font-weight:normal}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tn{overflow-wrap:anywhere;font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.86rem}
.st{display:inline-block;padding:0 .4rem;border-radius:.25rem;font-weight:600;white-space:nowrap}
.st-pass{color:var(--pass);background:var(--pass-bg)}.st-fail{color:var(--fail);background:var(--fail-bg)}
.st-skip{color:var(--skip);background:var(--skip-bg)}.st-missing,.st-not-run,.st-none{color:var(--miss);background:var(--miss-bg)}
.change{font-weight:700;white-space:nowrap}.change.worse{color:var(--fail)}.change.better{color:var(--pass)}
tr.differs>th{border-left:4px solid var(--fail)}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;border:1px solid var(--line);padding:.5rem;font-size:.8rem;max-height:30rem;overflow:auto}
.reason{margin:.2rem 0;overflow-wrap:anywhere}
ul.names{margin:.2rem 0;padding-left:1.2rem}
section.failure{border-left:4px solid var(--fail);padding-left:.7rem;margin:0 0 1rem}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media (max-width:40rem){body{padding:.6rem;font-size:15px}h1{font-size:1.25rem}dl.counts div{min-width:44%}
dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}th,td{padding:.25rem .3rem}}
@media print{body{max-width:none;padding:0;font-size:10pt}.scroll{overflow:visible}pre{max-height:none;overflow:visible;break-inside:auto}
thead{display:table-header-group}tr,section.failure,.verdict{break-inside:avoid}h2{break-after:avoid}
.verdict.ok,.verdict.bad,.verdict.tentative,.st,thead th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

/** A whole page: nothing loads from anywhere (the policy forbids it), no script. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="tcup">
<title>${esc(title)}</title>
<style>${STYLE.trim()}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
