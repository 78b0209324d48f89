/** The persistent cache manager: list, delete one, clear all, storage estimate. */
import type { Runtime } from '../src/index.ts';
import { bytes } from './format.ts';

export async function renderCache(rt: Runtime, list: HTMLElement, estimate: HTMLElement, onChange: () => void): Promise<void> {
  const [entries, est] = await Promise.all([rt.cache.list(), rt.cache.estimate()]);
  estimate.textContent = `Storage used ${bytes(est.usage)} of ${bytes(est.quota)} allowed to this origin.`;
  list.replaceChildren();
  if (entries.length === 0) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 6;
    td.textContent = 'Nothing cached yet.';
    tr.append(td);
    list.append(tr);
  }
  for (const e of entries) {
    const tr = document.createElement('tr');
    tr.dataset.key = e.key;
    const cells = [
      e.key,
      bytes(e.size),
      `${bytes(e.bytesCached)} (${((100 * e.bytesCached) / Math.max(1, e.size)).toFixed(0)} %)`,
      e.store,
      new Date(e.lastUsed).toLocaleString(),
    ];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    const del = document.createElement('button');
    del.textContent = 'Delete';
    del.dataset.testid = 'cache-delete';
    del.setAttribute('data-testid', 'cache-delete');
    del.addEventListener('click', async () => {
      try {
        await rt.cache.delete(e.key);
      } catch (err) {
        // e.g. CACHE_IN_USE: another tab or worker reads this model now.
        estimate.textContent = `${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}`;
        estimate.dataset.error = (err as { code?: string }).code ?? 'ERROR';
        return;
      }
      onChange();
    });
    const td = document.createElement('td');
    td.append(del);
    tr.append(td);
    list.append(tr);
  }
}
