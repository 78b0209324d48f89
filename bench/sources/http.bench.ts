/**
 * HTTP Range into the Wasm arena vs the plain ways to download the same bytes,
 * all from the same server (the tests' range server, cross-origin).
 *
 * - `fetch().arrayBuffer()` of the whole file (one GET, no Range; bytes land in
 *   a JS ArrayBuffer) is the baseline of HttpRangeSource's one whole read
 *   streamed into a pinned arena block, and of the naive loader (baseline +
 *   copy into the arena).
 * - `fetch(Range).arrayBuffer()` of 8 MiB pieces, 6 in flight, is the baseline
 *   of HttpRangeSource serving the same 8 MiB reads (the pager's pattern, at
 *   most 6 requests in flight), with the default coalescing (reads waiting
 *   together merged into requests of up to 32 MiB) and with coalescing off.
 * Runs are interleaved; medians are compared. Every candidate's arena bytes
 * are checked against the pattern after each run (untimed).
 */
import { HttpRangeSource, type HttpRangeOptions } from '../../src/sources/http/source.ts';
import { fillPattern } from '../../test/servers/pattern.ts';
import { benchArena } from './arena.ts';
import { median, type BenchContext, type BenchResult } from './types.ts';

const SEED = 7;
const PIECE = 8 << 20;
const IN_FLIGHT = 6;

/** Spot-checks 64 KiB every 16 MiB and the last 64 KiB: a wrong read cannot pass as fast. */
function verify(view: Uint8Array): void {
  const probe = new Uint8Array(65_536);
  const at = [];
  for (let o = 0; o + probe.length <= view.length; o += 16 << 20) at.push(o);
  at.push(view.length - probe.length);
  for (const o of at) {
    fillPattern(probe, o, SEED);
    for (let i = 0; i < probe.length; i++) if (view[o + i] !== probe[i]) throw new Error(`bench read wrong byte at ${o + i}`);
  }
}

/** Runs `task(offset)` for every 8 MiB piece, `n` at a time. */
async function pieces(size: number, n: number, task: (offset: number) => Promise<unknown>): Promise<void> {
  const offsets: number[] = [];
  for (let o = 0; o < size; o += PIECE) offsets.push(o);
  const worker = async () => {
    for (let o = offsets.shift(); o !== undefined; o = offsets.shift()) await task(o);
  };
  await Promise.all(Array.from({ length: n }, worker));
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const url = `${ctx.rangeBase}/gen/${ctx.bytes}/${SEED}`;
  const arena = await benchArena(ctx.bytes);
  const piece = (o: number) => arena.view.subarray(o, Math.min(ctx.bytes, o + PIECE));
  const sourceReads = (opts: HttpRangeOptions) => async () => {
    const src = await HttpRangeSource.open(url, opts);
    const reads = [];
    for (let o = 0; o < ctx.bytes; o += PIECE) reads.push(src.readInto(o, piece(o)));
    await Promise.all(reads);
  };
  const WHOLE = 'fetch().arrayBuffer(), whole file';
  const RANGES = 'fetch(Range).arrayBuffer(), 8 MiB pieces';
  const cases: Array<{ name: string; against: string; arena: boolean; run: () => Promise<unknown> }> = [
    { name: WHOLE, against: WHOLE, arena: false, run: () => fetch(url, { cache: 'no-store' }).then((r) => r.arrayBuffer()) },
    {
      name: 'HttpRangeSource, one read into the arena',
      against: WHOLE,
      arena: true,
      run: async () => (await HttpRangeSource.open(url)).readInto(0, arena.view),
    },
    {
      name: 'fetch().arrayBuffer() + copy into the arena',
      against: WHOLE,
      arena: true,
      run: async () => arena.view.set(new Uint8Array(await (await fetch(url, { cache: 'no-store' })).arrayBuffer())),
    },
    {
      name: RANGES,
      against: RANGES,
      arena: false,
      run: () =>
        pieces(ctx.bytes, IN_FLIGHT, (o) => fetch(url, { cache: 'no-store', headers: { Range: `bytes=${o}-${o + PIECE - 1}` } }).then((r) => r.arrayBuffer())),
    },
    { name: 'HttpRangeSource, 8 MiB reads into the arena', against: RANGES, arena: true, run: sourceReads({ maxConcurrent: IN_FLIGHT }) },
    { name: '  same, coalescing off', against: RANGES, arena: true, run: sourceReads({ maxConcurrent: IN_FLIGHT, coalesceMaxBytes: 0 }) },
  ];
  const times = cases.map(() => [] as number[]);
  for (let r = -1; r < ctx.runs; r++) {
    for (const [i, c] of cases.entries()) {
      arena.view.fill(0, 0, 1 << 20);
      const t0 = performance.now();
      await c.run();
      if (r >= 0) times[i].push(performance.now() - t0);
      if (c.arena) verify(arena.view);
    }
  }
  const medians = times.map(median);
  const byName = new Map(cases.map((c, i) => [c.name, medians[i]]));
  return {
    title: `HTTP Range, ${ctx.bytes / 2 ** 20} MiB from the test range server (loopback, cross-origin), median of ${ctx.runs} runs`,
    rows: cases.map((c, i) => ({
      name: c.name,
      medianMs: medians[i],
      mbPerS: ctx.bytes / 1e3 / medians[i],
      against: c.against,
      ratio: byName.get(c.against)! / medians[i],
    })),
    notes: [
      `arena: ${arena.kind}`,
      'HttpRangeSource defaults: 6 in flight, reads waiting together merged up to 32 MiB',
      'arena bytes of every candidate run checked against the pattern (untimed)',
    ],
  };
}
