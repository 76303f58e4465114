/** `tcup guidelines`: the bundled guideline versions and their targets, the standards, and the field today. */
import { bundledVersions, loadBundledGuideline } from '../guidelines/load.js';
import { pinnedReference } from '../guidelines/model.js';
import { bundledStandards, describeRule } from '../guidelines/standard.js';

export function listGuidelinesText(): string {
  const rows = bundledVersions().map((v) => {
    const pinned = pinnedReference(loadBundledGuideline(v.id));
    return [
      v.id,
      v.kind,
      v.status ?? '',
      v.targets.join(', '),
      pinned ? `${pinned.key} ${pinned.reference}` : '',
    ];
  });
  const head = ['version', 'kind', 'status', 'targets', 'written for'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd() + '\n';
  const field = (name: string, text: string) => wrap(`${name}:`.padEnd(9), text, 10);
  const standards = bundledStandards().map((s) =>
    [
      `${s.id.padEnd(10)}${s.name} ${s.version} "${s.title}" (${s.status}), ${s.tests.length} Tempest tests`,
      field('use', `tcup --target ${s.id} (no --guideline; no RefStack upload)`),
      field('rule', describeRule(s)),
      field(
        'source',
        `${s.source.repository} ${s.source.path} @ ${s.source.commit.slice(0, 12)} (${s.source.date})`,
      ),
      field('licence', `${s.licence.name} ${s.licence.url}: ${s.licence.attribution}`),
      ...(s.derivedFrom ? [field('from', s.derivedFrom)] : []),
      '',
    ].join('\n'),
  );
  return (
    line(head) +
    rows.map(line).join('') +
    '\nUse: tcup --guideline VERSION --target TARGET (add-on targets dns and orchestration use the add-on file of that version)\n' +
    '\nStandards (a plain list of Tempest tests with a rule; a target of their own):\n' +
    standards.join('') +
    '\nThe OpenInfra interop programme and its repositories were retired in September 2025. Its last guideline,\n' +
    '2022.11, is not bundled and no longer served: if you have a copy, pass it with --guideline FILE.\n' +
    "RefStack's public server may not answer (--refstack-url points at your own). SCS-0128 is the live\n" +
    'successor of "OpenStack Powered Compute": tcup --target scs-0128.\n'
  );
}

/** `label text…` indented by `indent`, the text wrapped at spaces to lines of at most WIDTH. */
function wrap(label: string, text: string, indent: number): string {
  const WIDTH = 110;
  const lines: string[] = [];
  let current = ' '.repeat(indent) + label;
  for (const word of text.split(' ')) {
    const start = current.trim() === label.trim();
    if (!start && current.length + 1 + word.length > WIDTH) {
      lines.push(current);
      current = ' '.repeat(indent + label.length) + word;
    } else current += (start && current.endsWith(' ') ? '' : ' ') + word;
  }
  return [...lines, current].join('\n');
}
