/**
 * Models that live on this device: a file the user picked, copied into OPFS,
 * and synthetic models generated here by the project's GGUF writer. Both are
 * written in bounded chunks and handed to the runtime as OPFS file handles, which
 * the worker reads in place through a sync access handle (a `File` would go
 * through a Blob stream, a fresh buffer per chunk: docs/memory.md).
 */
import { sizedLlama } from '../src/authoring/synthetic-size.ts';

const DIR = 'gguf-pager-local-models';
const CHUNK = 4 << 20;

async function dir(): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

export async function storeFileInOpfs(file: File, onProgress: (done: number) => void): Promise<FileSystemFileHandle> {
  const handle = await (await dir()).getFileHandle(file.name, { create: true });
  const w = await handle.createWritable();
  try {
    let done = 0;
    for (let at = 0; at < file.size; at += CHUNK) {
      const piece = await file.slice(at, at + CHUNK).arrayBuffer();
      await w.write(piece);
      done += piece.byteLength;
      onProgress(done);
    }
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
  return handle;
}

export async function makeSyntheticInOpfs(mib: number, onProgress: (done: number, total: number) => void): Promise<FileSystemFileHandle> {
  const model = sizedLlama(mib * 2 ** 20);
  const handle = await (await dir()).getFileHandle(`synthetic-${mib}MiB.gguf`, { create: true });
  const w = await handle.createWritable();
  try {
    let done = 0;
    for (const chunk of model.chunks(CHUNK)) {
      await w.write(chunk);
      done += chunk.length;
      onProgress(done, model.size);
    }
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
  return handle;
}
