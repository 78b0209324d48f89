/**
 * Building URLs for the test range server from Node or browser tests: a
 * generated pattern file, faults in front of it, a fresh counter key per call,
 * and the server's per-tag statistics.
 */
import type { TagStats } from './range-server.ts';

/** The path of the generated pattern file of `size` bytes and `seed` (see pattern.ts). */
export const genFile = (size: number, seed: number) => `gen/${size}/${seed}`;

let counter = 0;
/** A string no other call in this process returns. */
export const unique = (prefix = 'k') => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * `<base>/fault/<f1>/fault/<f2>/<file>?t=<unique>&tag=<tag>`: faults as in
 * faults.ts (`'slow/20'` passes an argument); each call gets its own fault
 * counters; `tag` names the request statistics to read back with `serverStats`.
 */
export function serverUrl(base: string, file: string, opts: { faults?: string[]; tag?: string } = {}): string {
  const prefix = (opts.faults ?? []).map((f) => `fault/${f}/`).join('');
  const q = new URLSearchParams({ t: unique() });
  if (opts.tag) q.set('tag', opts.tag);
  return `${base}/${prefix}${file}?${q}`;
}

/** What the server saw for requests tagged `tag`. */
export async function serverStats(base: string, tag: string): Promise<TagStats> {
  const res = await fetch(`${base}/__stats?tag=${encodeURIComponent(tag)}`, { cache: 'no-store' });
  return (await res.json()) as TagStats;
}
