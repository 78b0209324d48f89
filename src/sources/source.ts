/**
 * The one interface every byte source implements (the seed's PagerSource:
 * `read_bytes_at`, `total_size_bytes`). Parsing stays out of it.
 */
export interface SourceIdentity {
  /** Total size in bytes. */
  size: number;
  /** Strong or weak ETag as the server sent it, if any. */
  etag?: string;
  /** Last-Modified as the server sent it, if any. */
  lastModified?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
}

export interface PagerSource {
  /** Human-readable name used in error messages: a URL, a path, `opfs:<name>`. */
  readonly name: string;
  /** Total size in bytes (known once opened). */
  readonly size: number;
  /** What identifies this version of the bytes. */
  readonly identity: SourceIdentity;
  /**
   * Fill `target` completely with the bytes at [offset, offset + target.length).
   * Writes straight into `target` (usually a view of the Wasm arena) without
   * keeping a copy of the range. Reading past `size` is a `SOURCE_EOF` error.
   */
  readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void>;
  /** Release handles, connections, timers. Idempotent. */
  close?(): Promise<void>;
}
