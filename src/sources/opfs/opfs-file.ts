/**
 * One open OPFS file, the same operations whatever the context (a sync
 * access handle in a dedicated worker, bounded slices and a writable stream in
 * a page). Its own file so that the two implementations (sync-file.ts,
 * async-file.ts) and the opener (file.ts) import it without an import circle.
 */
export interface OpfsFile {
  readonly path: string;
  /** True when backed by a FileSystemSyncAccessHandle. */
  readonly sync: boolean;
  /** Reads up to `target.length` bytes at `at` into `target`; returns how many (fewer at end of file). */
  read(at: number, target: Uint8Array): Promise<number>;
  /** Writes all of `data` at `at` (the file grows, zero-filled, when `at` is past its end). */
  write(at: number, data: Uint8Array): Promise<void>;
  /** write(), synchronously: only where the file is backed by a sync access handle. */
  writeSync?(at: number, data: Uint8Array): void;
  truncate(size: number): Promise<void>;
  /** Makes every earlier write durable (page: commits the pending writable). */
  flush(): Promise<void>;
  /** Size in bytes (page: as of the last flush). */
  size(): Promise<number>;
  /** Flushes and releases the handle. Idempotent. */
  close(): Promise<void>;
}
