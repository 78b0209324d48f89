/**
 * A bounded, growing window over the front of a source: the GGUF header.
 *
 *   file   [ header ......................... | pad | tensor data ........ ]
 *   buffer [ 0 .............. loaded )
 *                 ^ pos                 grows ×2 on demand, never past
 *                                       min(source.size, limits.maxHeaderBytes)
 *
 * Every read is preceded by an explicit `need(n)`: if the bytes are not loaded
 * yet, the next slice is fetched with one `readInto`; no read ever runs past
 * the loaded window and nothing catches a RangeError.
 *
 * Read-ahead never crosses the end of the header: the parser keeps `tail`, a
 * lower bound on the header bytes that follow the item being read (the
 * smallest possible size of every key/value, array element and tensor info
 * still to come), and a fetch extends at most `tail` bytes past what is
 * needed (and at most doubles the window). So the tensor data is never read,
 * and since the bound is a fair fraction of the real remainder (8 of ~15
 * bytes for a vocabulary string), the window still grows geometrically: a
 * few dozen reads for a 32k-token header.
 */
import { GgufPagerError } from '../errors.ts';
import type { PagerSource } from '../sources/source.ts';

export const DEFAULT_INITIAL_READ = 64 * 1024;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** A 64-bit integer as a Number when exact, else as a bigint. */
export function exactInteger(v: bigint): number | bigint {
  return v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
}

export class HeaderReader {
  /** Next byte to read. */
  pos = 0;
  /** Header bytes known to follow the item being read (a lower bound; see above). */
  tail = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private loaded = 0;
  private readonly cap: number;

  constructor(
    readonly source: PagerSource,
    private readonly maxHeaderBytes: number,
    private readonly initialRead = DEFAULT_INITIAL_READ,
    private readonly signal?: AbortSignal,
  ) {
    this.cap = Math.min(source.size, maxHeaderBytes);
  }

  /** Bytes fetched from the source so far. */
  get bytesRead(): number {
    return this.loaded;
  }

  /** Make [pos, pos + n) readable. Resolves at once when it already is. */
  need(n: number): Promise<void> | undefined {
    const end = this.pos + n;
    if (end <= this.loaded) return undefined;
    return this.grow(end);
  }

  private async grow(end: number): Promise<void> {
    if (this.signal?.aborted) {
      throw new GgufPagerError('SOURCE_ABORTED', `${this.source.name}: header read aborted at byte ${this.pos}`, { offset: this.pos });
    }
    if (!Number.isSafeInteger(end) || end > this.source.size) {
      throw new GgufPagerError(
        'GGUF_TRUNCATED',
        `${this.source.name}: header truncated at byte ${this.pos}: needs ${end - this.pos} more bytes, the file has ${this.source.size}`,
        { source: this.source.name, offset: this.pos, needed: end - this.pos, fileSize: this.source.size },
      );
    }
    if (end > this.maxHeaderBytes) {
      throw new GgufPagerError('GGUF_LIMIT', `${this.source.name}: header exceeds maxHeaderBytes (${this.maxHeaderBytes}) at byte ${this.pos}`, {
        source: this.source.name,
        offset: this.pos,
        limit: 'maxHeaderBytes',
        value: end,
      });
    }
    const ahead = Math.min(Math.max(this.loaded * 2, this.initialRead), end + this.tail);
    const size = Math.min(this.cap, Math.max(end, ahead));
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.loaded));
    await this.source.readInto(this.loaded, next.subarray(this.loaded), { signal: this.signal });
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.loaded = size;
  }

  /** Loaded bytes from `pos` on. */
  get available(): number {
    return this.loaded - this.pos;
  }

  u8(): number {
    return this.buf[this.pos++];
  }
  i8(): number {
    return this.view.getInt8(this.pos++);
  }
  u16(): number {
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i16(): number {
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  f32(): number {
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as UTF-8; `strict` rejects malformed UTF-8 (returns undefined) instead of replacing it. */
  utf8(n: number, strict: boolean): string | undefined {
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    if (n <= 32) {
      let ascii = true;
      for (let i = 0; i < n; i++)
        if (bytes[i] >= 0x80) {
          ascii = false;
          break;
        }
      if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
    if (!strict) return LENIENT_UTF8.decode(bytes);
    try {
      return STRICT_UTF8.decode(bytes);
    } catch {
      return undefined; // TypeError from a fatal decoder: malformed UTF-8, not a short buffer
    }
  }
}
