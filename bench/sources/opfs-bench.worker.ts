/**
 * The worker half of opfs.bench.ts (sync access handles exist only in a
 * dedicated worker). Writes one pattern file into OPFS, then times, in
 * interleaved runs, whole-file reads in PIECE-sized reads:
 *
 *   raw SyncAccessHandle.read → plain ArrayBuffer      the baseline
 *   raw SyncAccessHandle.read → arena                  the same into Wasm memory
 *   OpfsSource.readInto        → arena                 the product's OPFS reader
 *   CachedSource (OPFS entry, every chunk present) → arena   the cache-hit path
 *
 * Only the reads are timed (handles are opened before, closed after); the
 * order of the cases rotates every round. The
 * arena bytes are spot-checked against the pattern after every run (untimed).
 */
import * as Comlink from 'comlink';
import { OpfsSource } from '../../src/sources/opfs/source.ts';
import { OpfsWriter } from '../../src/sources/opfs/writer.ts';
import { removeOpfsEntry, opfsFileHandle } from '../../src/sources/opfs/file.ts';
import { CachedSource } from '../../src/sources/cache/cached.ts';
import { clearCached } from '../../src/sources/cache/storage.ts';
import { fillPattern } from '../../test/servers/pattern.ts';
import { benchArena } from './arena.ts';
import { spotCheckPattern } from './verify.ts';
import { median } from './types.ts';

const SEED = 9;
export const PIECE = 8 << 20;
const DIR = 'gguf-pager-bench';
const FILE = `${DIR}/opfs-bench.bin`;
const NAMESPACE = 'gguf-pager-bench-cache';

export interface OpfsCase {
  name: string;
  against: string;
  medianMs: number;
}

async function writeFile(bytes: number): Promise<number> {
  const w = await OpfsWriter.open(FILE, { truncate: true });
  const piece = new Uint8Array(PIECE);
  const t0 = performance.now();
  for (let at = 0; at < bytes; at += PIECE) {
    const n = Math.min(PIECE, bytes - at);
    await w.write(at, fillPattern(piece.subarray(0, n), at, SEED));
  }
  await w.flush();
  await w.close();
  return performance.now() - t0;
}

type Reader = { read(at: number, view: Uint8Array): Promise<unknown> | unknown; close(): Promise<void> | void };

async function rawReader(): Promise<Reader> {
  const h = await (await opfsFileHandle(FILE)).createSyncAccessHandle();
  return { read: (at, view) => h.read(view, { at }), close: () => h.close() };
}

async function timeWholeFile(reader: Reader, view: Uint8Array): Promise<number> {
  const t0 = performance.now();
  for (let at = 0; at < view.length; at += PIECE) await reader.read(at, view.subarray(at, Math.min(view.length, at + PIECE)));
  return performance.now() - t0;
}

const api = {
  async run(bytes: number, runs: number): Promise<{ cases: OpfsCase[]; notes: string[] }> {
    await clearCached({ namespace: NAMESPACE });
    const writeMs = await writeFile(bytes);
    const arena = await benchArena(bytes);
    const plain = new Uint8Array(bytes);
    // Fill the cache entry once (from the OPFS file itself as the "remote"), so its timed reads are all hits.
    const fill = await CachedSource.open(await OpfsSource.open(FILE), { key: 'bench-file', namespace: NAMESPACE, store: 'opfs' });
    const tFill = performance.now();
    for (let at = 0; at < bytes; at += PIECE) await fill.readInto(at, arena.view.subarray(at, Math.min(bytes, at + PIECE)));
    const fillMs = performance.now() - tFill;
    await fill.close();

    const RAW = 'raw SyncAccessHandle.read -> ArrayBuffer';
    const cases: Array<{ name: string; against: string; view: Uint8Array; open: () => Promise<Reader> }> = [
      { name: RAW, against: RAW, view: plain, open: rawReader },
      { name: 'raw SyncAccessHandle.read -> arena', against: RAW, view: arena.view, open: rawReader },
      {
        name: 'OpfsSource.readInto -> arena',
        against: RAW,
        view: arena.view,
        open: async () => {
          const s = await OpfsSource.open(FILE);
          return { read: (at, view) => s.readInto(at, view), close: () => s.close() };
        },
      },
      {
        name: 'CachedSource (OPFS, all cached) -> arena',
        against: RAW,
        view: arena.view,
        open: async () => {
          const s = await CachedSource.open(await OpfsSource.open(FILE), { key: 'bench-file', namespace: NAMESPACE, store: 'opfs' });
          return { read: (at, view) => s.readInto(at, view), close: () => s.close() };
        },
      },
    ];
    const times = cases.map(() => [] as number[]);
    for (let r = -1; r < runs; r++) {
      // Rotate the order every round: no case always runs first (or right after another).
      for (let k = 0; k < cases.length; k++) {
        const i = (k + r + 1) % cases.length;
        const c = cases[i];
        c.view.fill(0, 0, 1 << 20);
        const reader = await c.open();
        const ms = await timeWholeFile(reader, c.view);
        await reader.close();
        if (r >= 0) times[i].push(ms);
        spotCheckPattern(c.view, SEED, c.name);
      }
    }
    await clearCached({ namespace: NAMESPACE });
    await removeOpfsEntry(DIR);
    return {
      cases: cases.map((c, i) => ({ name: c.name, against: c.against, medianMs: median(times[i]) })),
      notes: [
        `arena: ${arena.kind}`,
        `reads of ${PIECE >> 20} MiB; OPFS file written with OpfsWriter (sync handle) at ${(bytes / 1e3 / writeMs).toFixed(0)} MB/s incl. flush`,
        `cache entry filled through CachedSource (4 MiB chunks, write + flush + manifest each) at ${(bytes / 1e3 / fillMs).toFixed(0)} MB/s`,
      ],
    };
  },
};

export type OpfsBenchWorker = typeof api;
Comlink.expose(api);
