/** The argument and bounds check every source (memory, file, blob, HTTP, OPFS, IndexedDB, cache) does before a read. */
import { GgufPagerError } from '../errors.ts';

/** Throws INVALID_ARGUMENT for a bad offset or target, SOURCE_EOF for a read past `size`. */
export function checkRead(name: string, size: number, offset: number, target: Uint8Array): void {
  if (!(target instanceof Uint8Array)) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${name}: bad read at offset ${offset} (the target must be a Uint8Array)`, { source: name, offset });
  }
  checkReadRange(name, size, offset, target.length);
}

/** Throws INVALID_ARGUMENT unless `offset` is an integer ≥ 0, SOURCE_EOF when `length` bytes from it pass `size`. */
export function checkReadRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${name}: bad read at offset ${offset} (need a non-negative integer offset)`, { source: name, offset });
  }
  if (offset + length > size) {
    throw new GgufPagerError('SOURCE_EOF', `${name}: read of ${length} bytes at offset ${offset} is past the end (${size} bytes)`, {
      source: name,
      offset,
      length,
      size,
      available: Math.max(0, size - offset),
    });
  }
}
