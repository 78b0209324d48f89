/**
 * Runs OpfsSource / OpfsWriter inside a dedicated worker (where sync access
 * handles exist) for test/browser/opfs-*.test.ts. Reads land in a
 * WebAssembly.Memory view, as the pager's arena reads do.
 */
import * as Comlink from 'comlink';
import { installErrorTransfer } from '../../../src/runtime/transfer.ts';
import { OpfsSource } from '../../../src/sources/opfs/source.ts';
import { OpfsWriter } from '../../../src/sources/opfs/writer.ts';
import { removeOpfsEntry } from '../../../src/sources/opfs/file.ts';
import { fillPattern, firstPatternMismatch } from '../../servers/pattern.ts';

installErrorTransfer();

const memory = new WebAssembly.Memory({ initial: 64 }); // 4 MiB
const ARENA_OFFSET = 12345; // an unaligned place inside the arena

const api = {
  /** Writes pattern `seed` into `path` in pieces of `piece` bytes; returns whether a sync handle did it. */
  async writePattern(path: string, size: number, seed: number, piece: number): Promise<{ sync: boolean; size: number }> {
    const w = await OpfsWriter.open(path, { truncate: true });
    for (let at = 0; at < size; at += piece) {
      await w.write(at, fillPattern(new Uint8Array(Math.min(piece, size - at)), at, seed));
    }
    await w.flush();
    const result = { sync: w.sync, size: await w.size() };
    await w.close();
    return result;
  },

  /** Overwrites [at, at + bytes.length) and flushes. */
  async overwrite(path: string, at: number, bytes: Uint8Array): Promise<void> {
    const w = await OpfsWriter.open(path);
    await w.write(at, bytes);
    await w.flush();
    await w.close();
  },

  async truncate(path: string, size: number): Promise<number> {
    const w = await OpfsWriter.open(path);
    await w.truncate(size);
    await w.flush();
    const after = await w.size();
    await w.close();
    return after;
  },

  /** Reads [offset, offset + length) into the Wasm memory; returns the first mismatch with the pattern (-1: none). */
  async readIntoWasm(path: string, offset: number, length: number, seed: number): Promise<{ sync: boolean; size: number; mismatch: number; growth: number }> {
    const before = memory.buffer.byteLength;
    const src = await OpfsSource.open(path);
    try {
      const view = new Uint8Array(memory.buffer, ARENA_OFFSET, length);
      await src.readInto(offset, view);
      return { sync: src.sync, size: src.size, mismatch: firstPatternMismatch(view, offset, seed), growth: memory.buffer.byteLength - before };
    } finally {
      await src.close();
    }
  },

  /** Reads [offset, offset + length) and returns the bytes (small reads only). */
  async readBytes(path: string, offset: number, length: number): Promise<Uint8Array> {
    const src = await OpfsSource.open(path);
    try {
      const out = new Uint8Array(length);
      await src.readInto(offset, out);
      return out;
    } finally {
      await src.close();
    }
  },

  /** Opens a reader and a writer on one path at once (they share the sync handle). */
  async readerAndWriterTogether(path: string): Promise<Uint8Array> {
    const w = await OpfsWriter.open(path, { truncate: true });
    await w.write(0, new Uint8Array([1, 2, 3, 4]));
    await w.flush();
    const r = await OpfsSource.open(path);
    const out = new Uint8Array(4);
    await r.readInto(0, out);
    await r.close();
    await w.close();
    return out;
  },

  remove: (path: string) => removeOpfsEntry(path),
};

export type OpfsWorkerApi = typeof api;
Comlink.expose(api);
