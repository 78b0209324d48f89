/**
 * IndexedDB read throughput of IdbSource across chunk sizes: the same file
 * stored once per chunk size (writeIdbFile), then read whole into the Wasm
 * arena in 16 MiB reads (a multiple of every chunk size: no read fetches
 * bytes it does not use). All sizes are stored first and read in interleaved
 * rounds (rotating order) where the origin allows it, else one size at a time;
 * every row is compared with the fastest. The winner, with these figures, is
 * IDB_DEFAULT_CHUNK_SIZE in src/sources/idb/source.ts.
 */
import { createStore, type UseStore } from 'idb-keyval';
import { IdbSource, deleteIdbFile, writeIdbFile } from '../../src/sources/idb/source.ts';
import { fillPattern, firstPatternMismatch } from '../../test/servers/pattern.ts';
import { benchArena } from './arena.ts';
import { spotCheckPattern } from './verify.ts';
import { median, type BenchContext, type BenchResult } from './types.ts';

const SEED = 11;
const READ = 16 << 20;
/** Small reads (a GGUF holds many small tensors: norms, biases) show what a big chunk costs them. */
const SMALL_READS_PER_GIB = 256;
const smallReadCount = (size: number) => Math.max(2, Math.round((size / 2 ** 30) * SMALL_READS_PER_GIB));
const SMALL_BYTES = 64 << 10;
export const CHUNK_SIZES = [256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20, 16 << 20];

const label = (n: number) => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);

const keyOf = (cs: number) => `bench-${cs}`;

/** Stores the file once per chunk size in `sizes`; returns the write time of each. */
async function storeFiles(store: UseStore, bytes: Uint8Array, sizes: number[]): Promise<number[]> {
  const ms: number[] = [];
  for (const cs of sizes) {
    const t0 = performance.now();
    await writeIdbFile(keyOf(cs), bytes, { store, chunkSize: cs });
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Reads each stored file whole, 1 + runs rounds, sizes interleaved in rotating order; timed rounds only. */
async function readRounds(ctx: BenchContext, store: UseStore, view: Uint8Array, sizes: number[]): Promise<{ times: number[][]; small: number[][] }> {
  const sources = await Promise.all(sizes.map((cs) => IdbSource.open(keyOf(cs), { store })));
  const times = sizes.map(() => [] as number[]);
  const small = sizes.map(() => [] as number[]);
  for (let r = -1; r < ctx.runs; r++) {
    for (let k = 0; k < sizes.length; k++) {
      const i = (k + r + 1) % sizes.length;
      view.fill(0, 0, 1 << 20);
      const t0 = performance.now();
      for (let at = 0; at < ctx.bytes; at += READ) await sources[i].readInto(at, view.subarray(at, Math.min(ctx.bytes, at + READ)));
      if (r >= 0) times[i].push(performance.now() - t0);
      spotCheckPattern(view, SEED, `chunks of ${label(sizes[i])}`);
      const t1 = performance.now();
      await smallReads(sources[i], ctx.bytes);
      if (r >= 0) small[i].push(performance.now() - t1);
    }
  }
  return { times, small };
}

/** smallReadCount(size) reads of SMALL_BYTES at scattered offsets (the same ones for every chunk size), each checked. */
async function smallReads(src: IdbSource, size: number): Promise<void> {
  const buf = new Uint8Array(SMALL_BYTES);
  let x = 12345;
  for (let k = 0; k < smallReadCount(size); k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const at = Math.floor((x / 2 ** 32) * (size - SMALL_BYTES));
    await src.readInto(at, buf);
    if (firstPatternMismatch(buf, at, SEED) !== -1) throw new Error(`small read at ${at}: wrong bytes`);
  }
}

async function deleteFiles(store: UseStore): Promise<void> {
  for (const cs of CHUNK_SIZES) await deleteIdbFile(keyOf(cs), { store });
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const store = createStore('gguf-pager-bench-idb', 'files');
  const bytes = fillPattern(new Uint8Array(ctx.bytes), 0, SEED);
  const arena = await benchArena(ctx.bytes);
  let writeMs: number[] = [];
  let times: number[][] = [];
  let small: number[][] = [];
  let mode = 'all sizes stored at once, read in interleaved rounds';
  try {
    writeMs = await storeFiles(store, bytes, CHUNK_SIZES);
    ({ times, small } = await readRounds(ctx, store, arena.view, CHUNK_SIZES));
  } catch (e) {
    if ((e as { code?: string }).code !== 'STORAGE_QUOTA') throw e;
    // An off-the-record context (Playwright's newPage) keeps IndexedDB in memory and
    // refused ~1.5 GB in total: fall back to one size at a time.
    mode = `one size at a time (storing all at once: ${(e as Error).message})`;
    await deleteFiles(store);
    writeMs = [];
    times = [];
    small = [];
    for (const cs of CHUNK_SIZES) {
      writeMs.push(...(await storeFiles(store, bytes, [cs])));
      const one = await readRounds(ctx, store, arena.view, [cs]);
      times.push(...one.times);
      small.push(...one.small);
      await deleteFiles(store);
    }
  } finally {
    await deleteFiles(store);
  }
  const medians = times.map(median);
  const smallMedians = small.map(median);
  const best = medians.indexOf(Math.min(...medians));
  const bestSmall = smallMedians.indexOf(Math.min(...smallMedians));
  const name = (i: number) => `IdbSource, ${label(CHUNK_SIZES[i])} chunks -> arena`;
  const nSmall = smallReadCount(ctx.bytes);
  const smallName = (i: number) => `  ${nSmall} x ${SMALL_BYTES >> 10} KiB scattered reads, ${label(CHUNK_SIZES[i])} chunks`;
  return {
    title: `IndexedDB, ${ctx.bytes / 2 ** 20} MiB file read whole in ${READ >> 20} MiB reads, per chunk size, median of ${ctx.runs} runs`,
    rows: [
      ...CHUNK_SIZES.map((_, i) => ({
        name: name(i),
        medianMs: medians[i],
        mbPerS: ctx.bytes / 1e3 / medians[i],
        against: name(best),
        ratio: medians[best] / medians[i],
      })),
      ...CHUNK_SIZES.map((_, i) => ({
        name: smallName(i),
        medianMs: smallMedians[i],
        mbPerS: (nSmall * SMALL_BYTES) / 1e3 / smallMedians[i],
        against: smallName(bestSmall),
        ratio: smallMedians[bestSmall] / smallMedians[i],
      })),
    ],
    notes: [
      `arena: ${arena.kind}`,
      mode,
      `fastest whole-file read: ${label(CHUNK_SIZES[best])} chunks; fastest scattered reads: ${label(CHUNK_SIZES[bestSmall])} chunks`,
      `write (writeIdbFile, one transaction per ≤ 32 MiB of chunks) MB/s: ${CHUNK_SIZES.map((cs, i) => `${label(cs)} ${(ctx.bytes / 1e3 / writeMs[i]).toFixed(0)}`).join(', ')}`,
    ],
  };
}
