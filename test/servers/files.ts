/**
 * What the test range server can serve: files under a directory, byte arrays
 * registered by name, and generated pattern files `gen/<size>/<seed>` (see
 * pattern.ts), kept in memory, or `vgen/<size>/<seed>`, computed per read.
 * Every file has a strong ETag and a Last-Modified date.
 */
import { open, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fillPattern } from './pattern.ts';

export interface ServedFile {
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  /** Bytes [start, end) of the file. */
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Generated files larger than this are refused (the server must not allocate without bound). */
export const MAX_GENERATED_BYTES = 1 << 30;
/** Generated files are kept in memory up to this many bytes in total (oldest dropped first). */
const GENERATED_CACHE_BYTES = 640 << 20;
const GEN_DATE = new Date(Date.UTC(2024, 0, 1)).toUTCString();

export class FileTable {
  private readonly registered = new Map<string, Uint8Array>();
  private readonly generated = new Map<string, Uint8Array>();
  private generatedBytes = 0;

  constructor(private readonly root?: string) {}

  /** Serves `bytes` at `/<name>` (name without a leading slash). */
  register(name: string, bytes: Uint8Array): void {
    this.registered.set(name, bytes);
  }

  /** The file at `name` (a decoded path without leading slash), or undefined. */
  async lookup(name: string): Promise<ServedFile | undefined> {
    const mem = this.registered.get(name);
    if (mem) return memoryFile(mem, `"mem-${name.length}-${mem.length}-${checksum(mem)}"`, GEN_DATE);
    const gen = /^gen\/(\d+)\/(\d+)$/.exec(name);
    if (gen) return this.generatedFile(Number(gen[1]), Number(gen[2]));
    const virtual = /^vgen\/(\d+)\/(\d+)$/.exec(name);
    if (virtual) return virtualFile(Number(virtual[1]), Number(virtual[2]));
    return this.root ? diskFile(this.root, name) : undefined;
  }

  private generatedFile(size: number, seed: number): ServedFile | undefined {
    if (size > MAX_GENERATED_BYTES) return undefined;
    const key = `${size}/${seed}`;
    let bytes = this.generated.get(key);
    if (!bytes) {
      bytes = fillPattern(new Uint8Array(size), 0, seed);
      this.generated.set(key, bytes);
      this.generatedBytes += size;
      for (const [k, v] of this.generated) {
        if (this.generatedBytes <= GENERATED_CACHE_BYTES || k === key) break;
        this.generated.delete(k);
        this.generatedBytes -= v.length;
      }
    }
    return memoryFile(bytes, `"gen-${size}-${seed}"`, GEN_DATE);
  }
}

/** Largest `vgen/<size>/<seed>` file: its bytes are computed per read, nothing is kept. */
export const MAX_VIRTUAL_BYTES = 2 ** 36;

/** A pattern file computed on each read (for sizes no test may allocate, e.g. 4 GiB). */
function virtualFile(size: number, seed: number): ServedFile | undefined {
  if (size > MAX_VIRTUAL_BYTES) return undefined;
  return {
    size,
    etag: `"vgen-${size}-${seed}"`,
    lastModified: GEN_DATE,
    contentType: 'application/octet-stream',
    read: async (start, end) => fillPattern(new Uint8Array(Math.max(0, Math.min(end, size) - start)), start, seed),
  };
}

function memoryFile(bytes: Uint8Array, etag: string, lastModified: string): ServedFile {
  return {
    size: bytes.length,
    etag,
    lastModified,
    contentType: 'application/octet-stream',
    read: async (start, end) => bytes.subarray(start, end),
  };
}

async function diskFile(root: string, name: string): Promise<ServedFile | undefined> {
  const base = resolve(root);
  const path = resolve(base, name);
  if (!path.startsWith(base + sep)) return undefined;
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  return {
    size: st.size,
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
    lastModified: st.mtime.toUTCString(),
    contentType: name.endsWith('.html') ? 'text/html' : 'application/octet-stream',
    read: async (start, end) => {
      const fh = await open(path, 'r');
      try {
        const out = new Uint8Array(end - start);
        const { bytesRead } = await fh.read(out, 0, out.length, start);
        return out.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}

/** A cheap content fingerprint so a re-registered name gets a new ETag. */
function checksum(b: Uint8Array): string {
  let h = 0x811c9dc5;
  const step = Math.max(1, Math.floor(b.length / 4096));
  for (let i = 0; i < b.length; i += step) h = Math.imul(h ^ b[i], 0x01000193);
  return (h >>> 0).toString(16);
}
