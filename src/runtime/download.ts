/**
 * Fetches a cached model whole into its on-device cache during load, so that
 * paging later reads from OPFS/IndexedDB only. A bounded pipeline
 * (docs/memory.md): `DOWNLOAD_CONCURRENCY` workers, each taking the next
 * missing chunk only once its previous one is durably stored (backpressure
 * from the store to the network). In a worker with OPFS, network pieces go
 * straight into the data file through one reused bounce buffer per request;
 * elsewhere each worker has one chunk buffer, allocated once and reused.
 * Nothing the size of the model is held and nothing waits for the GC.
 *
 * With an expected SHA-256 (integrity.ts) the pipeline also hashes the entry
 * in file order as chunks become present (read back from the store through
 * one 1 MiB buffer), cached chunks of an earlier session included; a mismatch
 * deletes the entry and fails with INTEGRITY_MISMATCH.
 */
import { GgufPagerError } from '../errors.ts';
import { CachedSource } from '../sources/cache/cached.ts';
import { mismatch, newSha256, type ExpectedDigest, type IntegrityReport } from '../sources/cache/integrity.ts';
import type { PagerSource } from '../sources/source.ts';

/** Chunks in flight at once during a download. */
export const DOWNLOAD_CONCURRENCY = 4;
const HASH_PIECE = 1 << 20;

export interface DownloadTick {
  bytesDone: number;
  bytesTotal: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** The digest a source must hash to, if any. */
  expected?: (src: CachedSource) => ExpectedDigest | undefined;
}

export async function downloadIntoCache(sources: PagerSource[], onTick: (t: DownloadTick) => void, opts: DownloadOptions = {}): Promise<IntegrityReport[]> {
  const { signal } = opts;
  const cached = sources.filter((s): s is CachedSource => s instanceof CachedSource);
  const bytesTotal = cached.reduce((a, s) => a + s.size, 0);
  const reports: IntegrityReport[] = [];
  let bytesDone = 0;
  onTick({ bytesDone, bytesTotal });
  for (const src of cached) {
    const chunk = src.chunkSize;
    const count = Math.ceil(src.size / chunk);
    const want = opts.expected?.(src);
    const hash = want && src.verifiedSha256 !== want.sha256 ? new InOrderHash(src) : undefined;
    let next = 0;
    const worker = async () => {
      let scratch: Uint8Array | undefined;
      const buffer = () => (scratch ??= new Uint8Array(chunk));
      for (let i = next++; i < count; i = next++) {
        if (signal?.aborted)
          throw new GgufPagerError('SOURCE_ABORTED', `${src.name}: download aborted at chunk ${i} of ${count}`, { source: src.name, chunk: i });
        await src.download(i, buffer, signal);
        hash?.advance();
        bytesDone += Math.min(chunk, src.size - i * chunk);
        onTick({ bytesDone, bytesTotal });
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, count) }, worker));
    } finally {
      await src.saveManifest().catch(() => undefined); // what was fetched before a failure or an abort is kept
    }
    if (!want) {
      src.finishWriting(); // complete: another tab or worker waiting for it may read it now
      continue;
    }
    if (hash) {
      const got = await hash.done();
      if (got !== want.sha256) {
        const err = mismatch(src.key, got, want);
        await src.discard(err);
        throw err;
      }
      await src.recordVerified(got);
    }
    src.finishWriting();
    reports.push({ url: src.key, ...want, verified: true });
  }
  return reports;
}

/** SHA-256 of a CachedSource's bytes in file order, fed as chunks become present. */
class InOrderHash {
  private readonly h = newSha256();
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly buf: Uint8Array;

  constructor(private readonly src: CachedSource) {
    this.buf = new Uint8Array(Math.min(HASH_PIECE, Math.max(1, src.size)));
  }

  /** Hashes the chunks that are now contiguous from where it stopped (in the background, in order). */
  advance(): void {
    this.chain = this.chain.then(() => this.step());
    this.chain.catch(() => undefined); // handled: done() awaits the chain and sees the failure
  }

  async done(): Promise<string> {
    this.advance();
    await this.chain;
    const count = Math.ceil(this.src.size / this.src.chunkSize);
    if (this.next < count)
      throw new GgufPagerError('INVALID_ARGUMENT', `${this.src.name}: chunk ${this.next} is missing after the download`, { chunk: this.next });
    return this.h.hex();
  }

  private async step(): Promise<void> {
    const { src } = this;
    const cs = src.chunkSize;
    while (this.next * cs < src.size && src.hasChunk(this.next)) {
      const end = Math.min(src.size, (this.next + 1) * cs);
      for (let at = this.next * cs; at < end; at += this.buf.length) {
        const piece = this.buf.subarray(0, Math.min(this.buf.length, end - at));
        await src.readCached(at, piece);
        this.h.update(piece);
      }
      this.next++;
    }
  }
}
