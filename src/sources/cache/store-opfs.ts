/**
 * A cache entry in OPFS:
 *
 *   <namespace>/<id>/data            chunk i at byte i * chunkSize (sparse until fetched)
 *   <namespace>/<id>/manifest.json   written with createWritable(): swapped in atomically
 *   <namespace>/<id>/journal         presence journal (journal.ts): one byte rewritten per durable chunk
 *
 * In a worker the data file is read and written through its sync access handle
 * (reads land straight in the target); on the page through the getFile() /
 * createWritable() path of opfs-async-file.ts, where each chunk commit copies
 * the data file (so `auto` prefers IndexedDB on the page, see cached.ts).
 */
import { GgufPagerError } from '../../errors.ts';
import type { CacheStore } from './store.ts';
import { MAX_MANIFEST_CHARS, decodeManifest, encodeManifest, mergeJournal, type CacheManifest } from './manifest.ts';
import { JOURNAL_HEADER, JournalQueue, decodeJournal, encodeJournal } from './journal.ts';
import { openOpfsFile, opfsFileHandle, removeOpfsEntry } from '../opfs/file.ts';
import type { OpfsFile } from '../opfs/opfs-file.ts';
import { opfsRoot, storageError } from '../storage-env.ts';

const dataPath = (ns: string, id: string) => `${ns}/${id}/data`;
const manifestPath = (ns: string, id: string) => `${ns}/${id}/manifest.json`;
const journalPath = (ns: string, id: string) => `${ns}/${id}/journal`;

/** The journal's bytes read through `getFile()` (listing from any context); undefined when absent or unreadable. */
async function readJournalFile(ns: string, id: string): Promise<Uint8Array | undefined> {
  try {
    const file = await (await opfsFileHandle(journalPath(ns, id))).getFile();
    if (file.size > MAX_MANIFEST_CHARS) return undefined;
    return new Uint8Array(await file.arrayBuffer());
  } catch {
    return undefined; // absent, or held by a writer in a way this context cannot read: the JSON alone is used
  }
}

/** Reads the manifest of entry `id` with its journal's chunks (undefined when absent). `key` undefined: accept the key it names. */
export async function readOpfsManifest(
  ns: string,
  id: string,
  key?: string,
  journal?: () => Promise<Uint8Array | undefined>,
): Promise<CacheManifest | undefined> {
  let text: string;
  try {
    const file = await (await opfsFileHandle(manifestPath(ns, id))).getFile();
    if (file.size > MAX_MANIFEST_CHARS * 4) {
      throw new GgufPagerError('CACHE_CORRUPT', `cache manifest ${manifestPath(ns, id)}: ${file.size} bytes`, { id });
    }
    text = await file.text();
  } catch (e) {
    const err = storageError(e, `opfs:${manifestPath(ns, id)}`, { id });
    if (err.code === 'SOURCE_NOT_FOUND') return undefined;
    throw err;
  }
  if (key === undefined) {
    const named = (() => {
      try {
        return (JSON.parse(text) as { key?: unknown }).key;
      } catch {
        return undefined;
      }
    })();
    if (typeof named !== 'string') throw new GgufPagerError('CACHE_CORRUPT', `cache manifest ${manifestPath(ns, id)}: no key`, { id });
    key = named;
  }
  const m = decodeManifest(text, key);
  const j = decodeJournal(await (journal ?? (() => readJournalFile(ns, id)))());
  mergeJournal(m, j?.gen, j?.bits);
  return m;
}

/** Removes entry `id` (its directory); false when it did not exist. */
export function removeOpfsCacheEntry(ns: string, id: string): Promise<boolean> {
  return removeOpfsEntry(`${ns}/${id}`);
}

/** Ids of every entry directory under the namespace. */
export async function listOpfsEntryIds(ns: string): Promise<string[]> {
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await (await opfsRoot()).getDirectoryHandle(ns);
  } catch (e) {
    if (storageError(e, `opfs:${ns}`).code === 'SOURCE_NOT_FOUND') return [];
    throw storageError(e, `opfs:${ns}`);
  }
  const ids: string[] = [];
  for await (const h of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
    if (h.kind === 'directory') ids.push(h.name);
  }
  return ids;
}

export async function openOpfsCacheStore(ns: string, key: string, id: string): Promise<CacheStore> {
  const data = await openOpfsFile(dataPath(ns, id), { create: true, shared: true });
  let journal: OpfsFile;
  try {
    journal = await openOpfsFile(journalPath(ns, id), { create: true, shared: true });
  } catch (e) {
    await data.close();
    throw e;
  }
  return new OpfsCacheStore(ns, key, id, data, journal);
}

class OpfsCacheStore implements CacheStore {
  readonly kind = 'opfs' as const;

  readonly writePiece?: (at: number, bytes: Uint8Array) => void;
  readonly flushPieces?: () => Promise<void>;
  private readonly journalQueue = new JournalQueue();
  /** The gen whose full journal is on disk (then one byte per chunk is enough). */
  private journalGen: string | undefined;

  constructor(
    private readonly ns: string,
    readonly key: string,
    readonly id: string,
    private readonly data: OpfsFile,
    private readonly journal: OpfsFile,
  ) {
    const writeSync = data.writeSync?.bind(data);
    if (writeSync) {
      this.writePiece = (at, bytes) => writeSync(at, bytes);
      this.flushPieces = () => data.flush();
    }
  }

  get zeroCopy(): boolean {
    return this.data.sync;
  }

  async read(m: CacheManifest, offset: number, target: Uint8Array): Promise<void> {
    const n = await this.data.read(offset, target);
    if (n !== target.length) {
      throw new GgufPagerError(
        'CACHE_CORRUPT',
        `${this.key}: cache data file ends before offset ${offset + target.length} (got ${n} of ${target.length} bytes at ${offset})`,
        { key: this.key, offset, length: target.length, got: n, size: m.identity.size },
      );
    }
  }

  async writeChunk(m: CacheManifest, index: number, bytes: Uint8Array): Promise<void> {
    await this.data.write(index * m.chunkSize, bytes);
    await this.data.flush();
  }

  recordChunk(m: CacheManifest, index: number): Promise<void> {
    return this.journalQueue.run(async () => {
      if (!m.gen) return;
      if (this.journalGen !== m.gen) {
        const whole = encodeJournal(m.gen, m.present);
        await this.journal.write(0, whole);
        await this.journal.truncate(whole.length);
        this.journalGen = m.gen;
      } else {
        const b = index >> 3;
        await this.journal.write(JOURNAL_HEADER + b, m.present.subarray(b, b + 1));
      }
      await this.journal.flush();
    });
  }

  loadManifest(): Promise<CacheManifest | undefined> {
    return readOpfsManifest(this.ns, this.id, this.key, async () => {
      const size = await this.journal.size();
      if (size > MAX_MANIFEST_CHARS) return undefined;
      const bytes = new Uint8Array(size);
      const n = await this.journal.read(0, bytes);
      return bytes.subarray(0, n);
    });
  }

  async saveManifest(m: CacheManifest): Promise<void> {
    try {
      const handle = await opfsFileHandle(manifestPath(this.ns, this.id), true);
      const w = await handle.createWritable();
      try {
        await w.write(encodeManifest(m));
      } catch (e) {
        await w.abort().catch(() => undefined);
        throw e;
      }
      await w.close();
    } catch (e) {
      if ((e as { name?: string })?.name === 'QuotaExceededError') throw e;
      throw storageError(e, `opfs:${manifestPath(this.ns, this.id)}`, { key: this.key });
    }
  }

  async clearData(): Promise<void> {
    await this.journalQueue.run(async () => {
      this.journalGen = undefined;
      await this.journal.truncate(0);
      await this.journal.flush();
    });
    await this.data.truncate(0);
    await this.data.flush();
  }

  async close(): Promise<void> {
    await this.journalQueue.run(() => this.journal.close());
    await this.data.close();
  }

  async destroy(): Promise<void> {
    await this.journalQueue.run(() => this.journal.close());
    await this.data.close();
    await removeOpfsEntry(manifestPath(this.ns, this.id));
    await removeOpfsCacheEntry(this.ns, this.id);
  }
}
