/** The argument and bounds check every source does before a read. */
import { GgufPagerError } from '../core/errors.ts';

/** Throws INVALID_ARGUMENT for a bad offset or target, SOURCE_EOF for a read past `size`. */
export function checkRead(name: string, size: number, offset: number, target: Uint8Array): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !(target instanceof Uint8Array)) {
    throw new GgufPagerError('INVALID_ARGUMENT', `${name}: bad read at offset ${offset} (need a non-negative integer offset and a Uint8Array)`, { source: name, offset });
  }
  const end = offset + target.length;
  if (end > size) {
    throw new GgufPagerError('SOURCE_EOF', `${name}: read of ${target.length} bytes at offset ${offset} is past the end (${size} bytes)`, {
      source: name, offset, length: target.length, size, available: Math.max(0, size - offset),
    });
  }
}
