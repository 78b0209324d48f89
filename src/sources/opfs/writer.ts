/**
 * `OpfsWriter`: writes one OPFS file at any offset. In a dedicated worker it
 * writes in place through the (shared) sync access handle; on the page through
 * a `createWritable({ keepExistingData: true })` stream that flush() commits
 * atomically. Either way bytes count as written only once flush() resolves.
 */
import { openOpfsFile, type OpfsAccess } from './file.ts';
import type { OpfsFile } from './opfs-file.ts';
import { isQuotaError } from '../storage-env.ts';
import { GgufPagerError } from '../../errors.ts';
import { quotaFailure } from '../cache/storage-estimate.ts';

export interface OpfsWriterOptions {
  access?: OpfsAccess;
  /** Start from an empty file. Default false (keep the existing bytes). */
  truncate?: boolean;
}

export class OpfsWriter {
  private constructor(
    readonly path: string,
    private readonly file: OpfsFile,
  ) {}

  /** Opens `path` for writing, creating it and its directories when missing. */
  static async open(path: string, opts: OpfsWriterOptions = {}): Promise<OpfsWriter> {
    const file = await openOpfsFile(path, { create: true, access: opts.access });
    const writer = new OpfsWriter(path, file);
    if (opts.truncate) await writer.truncate(0);
    return writer;
  }

  get sync(): boolean {
    return this.file.sync;
  }

  /** Writes `data` at byte offset `at`; `STORAGE_QUOTA` (with needed/available) when the origin is full. */
  async write(at: number, data: Uint8Array): Promise<void> {
    if (!Number.isSafeInteger(at) || at < 0) {
      throw new GgufPagerError('INVALID_ARGUMENT', `opfs:${this.path}: bad write offset ${at}`, { offset: at });
    }
    await this.withQuota(data.length, () => this.file.write(at, data));
  }

  async truncate(size: number): Promise<void> {
    await this.withQuota(0, () => this.file.truncate(size));
  }

  async flush(): Promise<void> {
    await this.withQuota(0, () => this.file.flush());
  }

  async size(): Promise<number> {
    return this.file.size();
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async withQuota(needed: number, op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (e) {
      if (!isQuotaError(e)) throw e;
      throw await quotaFailure(e, `opfs:${this.path}`, needed);
    }
  }
}
