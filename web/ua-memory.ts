/**
 * The browser's own figure for this page's memory, beside the resident-bytes
 * chart: `performance.measureUserAgentSpecificMemory()` (Chromium, only when
 * the page is cross-origin isolated, as the demo is). It resolves after the
 * next garbage collection (up to ~20 s), so it is asked again only once the
 * previous answer came. Elsewhere the line says why there is no figure.
 */
import { bytes } from './format.ts';

type Measure = () => Promise<{ bytes: number; breakdown: Array<{ bytes: number; types: string[] }> }>;

export function showUaMemory(out: HTMLElement): void {
  const measure = (performance as unknown as { measureUserAgentSpecificMemory?: Measure }).measureUserAgentSpecificMemory;
  if (!globalThis.crossOriginIsolated || typeof measure !== 'function') {
    out.textContent = 'not available (needs a cross-origin isolated page in Chromium)';
    return;
  }
  const tick = async () => {
    try {
      const m = await measure.call(performance);
      const byType = new Map<string, number>();
      for (const b of m.breakdown)
        for (const t of b.types.length ? b.types : ['other']) byType.set(t, (byType.get(t) ?? 0) + b.bytes / Math.max(1, b.types.length));
      out.textContent = `${bytes(m.bytes)} (${[...byType].map(([t, n]) => `${t} ${bytes(n)}`).join(', ')})`;
      out.dataset.bytes = String(m.bytes);
    } catch (e) {
      out.textContent = `unavailable: ${(e as Error).message}`;
    }
    setTimeout(() => void tick(), 5000);
  };
  void tick();
}
