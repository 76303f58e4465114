/** `tcup guidelines`: the bundled guideline versions and their targets. */
import { bundledVersions, loadBundledGuideline } from '../guidelines/load.js';
import { pinnedReference } from '../guidelines/model.js';

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
  return (
    line(head) +
    rows.map(line).join('') +
    '\nUse: tcup --guideline VERSION --target TARGET (add-on targets dns and orchestration use the add-on file of that version)\n'
  );
}
