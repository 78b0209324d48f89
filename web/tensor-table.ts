/** Renders GGUF metadata and the tensor table, grouped by block, pinned tensors marked. */
import type { ModelInfo, TensorRow } from '../src/index.ts';
import { bytes } from './format.ts';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function valueText(v: unknown, truncatedBy?: number): string {
  const s = typeof v === 'bigint' ? v.toString() : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return truncatedBy ? `${s.slice(0, 400)} …(+${truncatedBy} more)` : s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

export function renderMetadata(root: HTMLElement, info: ModelInfo): void {
  root.replaceChildren();
  const summary = el(
    'p',
    `${info.architecture}, ${info.blockCount} blocks, ${info.tensors.length} tensors, ` +
      `${bytes(info.totalBytes)} of weights (GGUF v${info.version}); pinned ${bytes(info.pinnedBytes)} of a ${bytes(info.budgetBytes)} budget.`,
  );
  const dl = el('dl');
  for (const [k, v] of info.metadata) {
    dl.append(el('dt', k), el('dd', valueText(v, info.truncated[k])));
  }
  const details = el('details');
  details.append(el('summary', `Metadata (${info.metadata.length} keys)`), dl);
  root.append(summary, details);
}

function group(rows: TensorRow[]): Map<string, TensorRow[]> {
  const groups = new Map<string, TensorRow[]>();
  for (const t of rows) {
    const key = t.block >= 0 ? `block ${t.block}` : 'other';
    const g = groups.get(key) ?? [];
    g.push(t);
    groups.set(key, g);
  }
  return groups;
}

export function renderTensors(root: HTMLElement, info: ModelInfo): void {
  root.replaceChildren();
  for (const [name, rows] of group(info.tensors)) {
    const total = rows.reduce((a, t) => a + t.size, 0);
    const pinned = rows.some((t) => t.pinned);
    const details = el('details');
    details.append(el('summary', `${name}: ${rows.length} tensors, ${bytes(total)}${pinned ? ' — pinned' : ''}`));
    const table = el('table');
    table.append(el('thead'));
    table.tHead!.append(row(['name', 'type', 'dims', 'offset', 'size'], 'th'));
    const body = el('tbody');
    for (const t of rows) {
      const tr = row([t.name, t.type, t.dims.join(' × '), String(t.offset), bytes(t.size)], 'td');
      if (t.pinned) tr.className = 'pinned';
      body.append(tr);
    }
    table.append(body);
    details.append(table);
    root.append(details);
  }
}

function row(cells: string[], tag: 'td' | 'th'): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) tr.append(el(tag, c));
  return tr;
}
