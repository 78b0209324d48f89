/** What a source benchmark module (`bench/sources/*.bench.ts`) exports and returns. */

/** Passed from run.js to every benchmark module. */
export interface BenchContext {
  /** The tests' range server (test/servers/range-server.ts), cross-origin to the page. */
  rangeBase: string;
  /** Size of the file to read, in bytes. */
  bytes: number;
  /** Timed runs per case (after one warm-up run). */
  runs: number;
}

export interface BenchRow {
  /** What was measured. */
  name: string;
  medianMs: number;
  /** Throughput of the median run, MB/s (10^6 bytes). */
  mbPerS: number;
  /** The case this row is compared with. */
  against: string;
  /** against's median / this median: ≥ 1 means as fast or faster. */
  ratio: number;
}

export interface BenchResult {
  title: string;
  rows: BenchRow[];
  /** Anything the reader must know (which arena, verification). */
  notes: string[];
}

export type BenchModule = { default: (ctx: BenchContext) => Promise<BenchResult> };

/** Median of `xs` (not empty). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
