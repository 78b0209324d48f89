/**
 * Deterministic test bytes that differ at every offset, so a read from the
 * wrong place never passes. Word `i` of pattern `seed` is a 32-bit hash of
 * (i, seed); byte `o` is byte `o & 3` (little-endian) of word `o >>> 2`.
 * Pure functions, no Node or DOM API: the servers, Node tests and browser
 * tests all call them to build or check bytes.
 */

/** The 32-bit word at word index `i` (murmur3's finaliser over i and seed). */
export function patternWord(i: number, seed: number): number {
  let x = (i ^ Math.imul(seed + 1, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The byte at absolute offset `o` of pattern `seed`. */
export function patternByte(o: number, seed: number): number {
  return (patternWord(Math.floor(o / 4), seed) >>> ((o % 4) * 8)) & 0xff;
}

/** Fills `target` with the pattern's bytes [offset, offset + target.length). */
export function fillPattern(target: Uint8Array, offset: number, seed: number): Uint8Array {
  let k = 0;
  while (k < target.length && (offset + k) % 4 !== 0) {
    target[k] = patternByte(offset + k, seed);
    k++;
  }
  const words = Math.floor((target.length - k) / 4);
  if (words > 0 && (target.byteOffset + k) % 4 === 0) {
    const w = new Uint32Array(target.buffer, target.byteOffset + k, words);
    const first = (offset + k) / 4;
    for (let j = 0; j < words; j++) w[j] = patternWord(first + j, seed);
    k += words * 4;
  }
  for (; k < target.length; k++) target[k] = patternByte(offset + k, seed);
  return target;
}

/** A fresh array holding the pattern's bytes [offset, offset + length). */
export function patternBytes(offset: number, length: number, seed: number): Uint8Array {
  return fillPattern(new Uint8Array(length), offset, seed);
}

/**
 * Where `actual` first differs from the pattern at `offset`, or -1 when it
 * matches. Checks in slices so a 256 MiB comparison needs no second copy.
 */
export function firstPatternMismatch(actual: Uint8Array, offset: number, seed: number): number {
  const SLICE = 1 << 20;
  const expected = new Uint8Array(Math.min(SLICE, actual.length));
  for (let at = 0; at < actual.length; at += SLICE) {
    const n = Math.min(SLICE, actual.length - at);
    const want = fillPattern(expected.subarray(0, n), offset + at, seed);
    for (let j = 0; j < n; j++) if (actual[at + j] !== want[j]) return at + j;
  }
  return -1;
}
