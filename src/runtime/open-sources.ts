/**
 * Opens the sources of one model input, in the worker: a URL (or the shards of
 * a split model), a list of shard URLs, or a Blob/File. With a cache, each
 * remote sits behind a CachedSource (OPFS, else IndexedDB) and, when asked,
 * the whole file is fetched into it during load, with progress.
 *
 * A URL's GGUF header is parsed from the network first, before any cache
 * entry is opened: a file that is not GGUF (an HTML page), a header over the
 * limits, or a model the caller's `checkHeader` refuses (one that cannot fit
 * the budget) fails having read only its header, and stores nothing.
 */
import { GgufPagerError } from '../errors.ts';
import { splitShardNames } from '../gguf/split.ts';
import { BlobSource } from '../sources/blob.ts';
import { OpfsSource } from '../sources/opfs/source.ts';
import { isFileHandle } from '../sources/storage-env.ts';
import { CachedSource } from '../sources/cache/cached.ts';
import { HttpRangeSource, type HttpStall } from '../sources/http/source.ts';
import type { PagerSource } from '../sources/source.ts';
import type { CacheStore } from './protocol.ts';
import type { IntegrityReport } from '../sources/cache/integrity.ts';
import { parseGguf } from '../gguf/parse.ts';
import { hasCachedVersion } from '../sources/cache/storage.ts';
import type { GgufModel } from '../gguf/types.ts';

/** Without a cache, open keeps the first MiB: the parser's many small header reads are then answered from it. */
export const UNCACHED_HEAD_BYTES = 1 << 20;

export type WorkerModelInput = string | string[] | Blob | FileSystemFileHandle;

/** A model on this device (a File or Blob, an OPFS file handle): read in place, never cached. */
export function isLocalInput(input: WorkerModelInput): input is Blob | FileSystemFileHandle {
  return input instanceof Blob || isFileHandle(input);
}

export interface OpenedSources {
  /** One per shard, in shard order. */
  sources: PagerSource[];
  /** What the user would call it: the first URL or the file name. */
  label: string;
  /** Cache key of the model (the first URL), or '' when not cached. */
  key: string;
  /** SHA-256 checks that passed when the sources were downloaded (integrity.ts). */
  integrity?: IntegrityReport[];
  /** The header, parsed from the network before any cache entry was opened (URL inputs). */
  header?: GgufModel;
  /** Bytes that came over the network / from the device cache, summed over shards. */
  traffic(): { fromNetwork: number; fromCache: number };
  close(): Promise<void>;
}

export interface OpenOptions {
  cache: CacheStore;
  signal?: AbortSignal;
  /** Told when an HTTP read stalls (see HttpRangeOptions.onStall). */
  onStall?: (s: HttpStall) => void;
  /** Judges a URL input's header (and its remotes, which it must not keep) before anything is cached; a throw refuses the load. */
  checkHeader?: (header: GgufModel, remotes: PagerSource[]) => void | Promise<void>;
}

/** Shard URLs of an input: a list as given, or one URL expanded when it names shard 1 of N. */
export function shardUrls(input: string | string[]): string[] {
  if (Array.isArray(input)) {
    if (input.length === 0) throw new GgufPagerError('INVALID_ARGUMENT', 'load: an empty list of URLs');
    return input;
  }
  return splitShardNames(input);
}

/**
 * Waits for `opening` unless `signal` aborts first; a source that opens after
 * the abort is closed. The signal is not given to the source itself: sources
 * are shared between loads (source-pool.ts), and one caller's abort must not
 * close what another reads from.
 */
async function unlessAborted<T extends PagerSource>(opening: Promise<T>, signal: AbortSignal | undefined, url: string): Promise<T> {
  if (!signal) return opening;
  const aborted = () => new GgufPagerError('SOURCE_ABORTED', `${url}: load aborted while opening`, { url });
  if (signal.aborted) {
    opening.then(
      (s) => s.close?.(),
      () => undefined,
    );
    throw aborted();
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      opening.then(
        (s) => s.close?.(),
        () => undefined,
      );
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    opening.then(
      (s) => (signal.removeEventListener('abort', onAbort), resolve(s)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

function openRemote(url: string, opts: OpenOptions): Promise<HttpRangeSource> {
  // Behind a cache the header is parsed from the network first: open asks for one byte, to learn size and identity.
  return unlessAborted(HttpRangeSource.open(url, { headBytes: opts.cache !== 'none' ? 1 : UNCACHED_HEAD_BYTES, onStall: opts.onStall }), opts.signal, url);
}

function openCached(remote: PagerSource, url: string, opts: OpenOptions): Promise<CachedSource> {
  return unlessAborted(CachedSource.open(remote, { key: url, store: opts.cache as 'auto' | 'opfs' | 'idb', signal: opts.signal }), opts.signal, url);
}

/**
 * The remotes of `urls`, their header parsed and checked, each behind its
 * cache entry when there is a cache. The header comes from the network unless
 * every shard's entry already holds this version of the file (then from the device).
 */
async function openUrls(urls: string[], opts: OpenOptions): Promise<{ sources: PagerSource[]; header: GgufModel }> {
  const remotes: HttpRangeSource[] = [];
  const sources: PagerSource[] = [];
  try {
    for (const url of urls) remotes.push(await openRemote(url, opts));
    if (opts.cache !== 'none' && (await allCached(urls, remotes, opts.cache))) {
      for (let i = 0; i < urls.length; i++) sources.push(await openCached(remotes[i], urls[i], opts));
      const header = await parseGguf(sources, { signal: opts.signal });
      await opts.checkHeader?.(header, sources);
      return { sources, header };
    }
    const header = await parseGguf(remotes, { signal: opts.signal });
    await opts.checkHeader?.(header, remotes);
    for (let i = 0; i < urls.length; i++) sources.push(opts.cache === 'none' ? remotes[i] : await openCached(remotes[i], urls[i], opts));
    return { sources, header };
  } catch (e) {
    // A CachedSource closes its remote; the remotes not yet behind one are closed here. An entry that
    // existed is left as it was (its bytes are this version's); none was made for a refused file.
    await Promise.all([...sources.map((s) => s.close?.()), ...remotes.slice(sources.length).map((r) => r.close())]);
    throw e;
  }
}

async function allCached(urls: string[], remotes: HttpRangeSource[], store: CacheStore): Promise<boolean> {
  for (let i = 0; i < urls.length; i++) {
    if (!(await hasCachedVersion(urls[i], remotes[i].identity, store as 'auto' | 'opfs' | 'idb'))) return false;
  }
  return true;
}

export async function openSources(input: WorkerModelInput, opts: OpenOptions): Promise<OpenedSources> {
  if (input instanceof Blob) {
    const src = new BlobSource(input);
    return { sources: [src], label: src.name, key: '', traffic: () => ({ fromNetwork: 0, fromCache: 0 }), close: async () => {} };
  }
  if (isFileHandle(input)) {
    const src = await unlessAborted(OpfsSource.fromHandle(input), opts.signal, `opfs:${input.name}`);
    return { sources: [src], label: src.name, key: '', traffic: () => ({ fromNetwork: 0, fromCache: 0 }), close: () => src.close() };
  }
  const urls = shardUrls(input);
  const { sources, header } = await openUrls(urls, opts);
  return {
    sources,
    header,
    label: urls[0],
    key: opts.cache === 'none' ? '' : urls[0],
    traffic() {
      let fromNetwork = 0;
      let fromCache = 0;
      for (const s of sources) {
        if (s instanceof CachedSource) {
          const st = s.stats();
          fromNetwork += st.fromNetwork;
          fromCache += st.fromCache;
        } else if (s instanceof HttpRangeSource) fromNetwork += s.stats.bytesReceived;
      }
      return { fromNetwork, fromCache };
    },
    close: async () => {
      await Promise.all(sources.map((s) => s.close?.()));
    },
  };
}
