/**
 * IndexedDB read throughput of IdbSource across chunk sizes: the same file
 * stored once per chunk size (writeIdbFile), then read whole into the Wasm
 * arena in 16 MiB reads (a multiple of every chunk size: no read fetches
 * bytes it does not use). One chunk size at a time (store, read, delete);
 * every row is compared with the fastest. The winner, with these figures, is
 * IDB_DEFAULT_CHUNK_SIZE in src/sources/idb.ts.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { IdbSource, deleteIdbFile, writeIdbFile } from '../../src/sources/idb.ts';
import { fillPattern } from '../../test/servers/pattern.ts';
import { benchArena } from './arena.ts';
import { median, type BenchContext, type BenchResult } from './types.ts';

const SEED = 11;
const READ = 16 << 20;
export const CHUNK_SIZES = [256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20];

const label = (n: number) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);

function verify(view: Uint8Array, what: string): void {
  const probe = new Uint8Array(65_536);
  const at: number[] = [];
  for (let o = 0; o + probe.length <= view.length; o += 16 << 20) at.push(o);
  at.push(view.length - probe.length);
  for (const o of at) {
    fillPattern(probe, o, SEED);
    for (let i = 0; i < probe.length; i++) if (view[o + i] !== probe[i]) throw new Error(`${what}: wrong byte at ${o + i}`);
  }
}

/** Stores the file with chunks of `cs`, reads it whole `1 + runs` times, deletes it. Returns [write ms, read ms per timed run]. */
async function measure(ctx: BenchContext, store: UseStore, bytes: Uint8Array, view: Uint8Array, cs: number): Promise<[number, number[]]> {
  const key = `bench-${cs}`;
  const t0 = performance.now();
  await writeIdbFile(key, bytes, { store, chunkSize: cs });
  const writeMs = performance.now() - t0;
  const times: number[] = [];
  try {
    const src = await IdbSource.open(key, { store });
    for (let r = -1; r < ctx.runs; r++) {
      view.fill(0, 0, 1 << 20);
      const t1 = performance.now();
      for (let at = 0; at < ctx.bytes; at += READ) await src.readInto(at, view.subarray(at, Math.min(ctx.bytes, at + READ)));
      if (r >= 0) times.push(performance.now() - t1);
      verify(view, `chunks of ${label(cs)}`);
    }
  } finally {
    await deleteIdbFile(key, { store });
  }
  return [writeMs, times];
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const store = createStore('gguf-pager-bench-idb', 'files');
  const bytes = fillPattern(new Uint8Array(ctx.bytes), 0, SEED);
  const arena = await benchArena(ctx.bytes);
  // One size at a time: Chromium's in-memory IndexedDB of an off-the-record
  // context (Playwright's newPage) refused more than ~1.5 GB in total.
  const writeMs: number[] = [];
  const times: number[][] = [];
  for (const cs of CHUNK_SIZES) {
    const [w, t] = await measure(ctx, store, bytes, arena.view, cs);
    writeMs.push(w);
    times.push(t);
  }
  const medians = times.map(median);
  const best = medians.indexOf(Math.min(...medians));
  const name = (i: number) => `IdbSource, ${label(CHUNK_SIZES[i])} chunks -> arena`;
  return {
    title: `IndexedDB, ${ctx.bytes / 2 ** 20} MiB file read whole in ${READ >> 20} MiB reads, per chunk size, median of ${ctx.runs} runs`,
    rows: CHUNK_SIZES.map((_, i) => ({ name: name(i), medianMs: medians[i], mbPerS: ctx.bytes / 1e3 / medians[i], against: name(best), ratio: medians[best] / medians[i] })),
    notes: [
      `arena: ${arena.kind}`,
      `fastest read: ${label(CHUNK_SIZES[best])} chunks`,
      `write (writeIdbFile, one transaction per ≤ 32 MiB of chunks) MB/s: ${CHUNK_SIZES.map((cs, i) => `${label(cs)} ${(ctx.bytes / 1e3 / writeMs[i]).toFixed(0)}`).join(', ')}`,
    ],
  };
}
