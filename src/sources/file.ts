/**
 * `FileSource` (Node only): a PagerSource over a local file. Positional reads
 * with `FileHandle.read` go straight into the target (a Wasm memory view
 * works), no intermediate buffer. Identity is size + modification time; a read
 * that finds the file changed since `open` is `SOURCE_CHANGED`, a read past
 * the end `SOURCE_EOF`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { GgufPagerError } from '../errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from './source.ts';
import { checkRead } from './read-check.ts';

/** One `read` call moves at most this many bytes (Node refuses more than 2 GiB - 1 per call). */
const MAX_READ = 1 << 30;

export class FileSource implements PagerSource {
  readonly identity: SourceIdentity;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly name: string,
    private readonly st: Stats,
  ) {
    this.identity = { size: st.size, lastModified: st.mtime.toISOString() };
  }

  /** Opens `path` for reading. Missing file: SOURCE_NOT_FOUND; not a file or no permission: SOURCE_OPEN. */
  static async open(path: string): Promise<FileSource> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new GgufPagerError(
        code === 'ENOENT' ? 'SOURCE_NOT_FOUND' : 'SOURCE_OPEN',
        `${path}: cannot open (${code ?? String(e)})`,
        { source: path, errno: code },
        { cause: e },
      );
    }
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new GgufPagerError('SOURCE_OPEN', `${path}: not a regular file`, { source: path });
    }
    return new FileSource(fh, path, st);
  }

  get size(): number {
    return this.identity.size;
  }

  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    checkRead(this.name, this.size, offset, target);
    if (this.closed) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at offset ${offset} after close`, { source: this.name, offset });
    let done = 0;
    while (done < target.length) {
      if (opts?.signal?.aborted)
        throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at offset ${offset + done} aborted`, { source: this.name, offset: offset + done });
      const n = Math.min(MAX_READ, target.length - done);
      const { bytesRead } = await this.fh.read(target, done, n, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    await this.checkUnchanged(offset, done, target.length);
  }

  /** Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  /** After a read: the file must still be the version opened, and the read whole. */
  private async checkUnchanged(offset: number, got: number, want: number): Promise<void> {
    const now = await this.fh.stat();
    if (now.size !== this.st.size || now.mtimeMs !== this.st.mtimeMs) {
      throw new GgufPagerError(
        'SOURCE_CHANGED',
        `${this.name} changed while open (size ${this.st.size} → ${now.size}, modified ${now.mtime.toISOString()}); read at offset ${offset} discarded`,
        {
          source: this.name,
          offset,
          identity: this.identity,
        },
      );
    }
    if (got < want) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${want} bytes at offset ${offset} got only ${got}`, {
        source: this.name,
        offset,
        length: want,
        available: got,
      });
    }
  }
}
