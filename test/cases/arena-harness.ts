/**
 * What the arena and KV cases share: a case is an async function that throws
 * on failure, so the same bodies run under Vitest in Node, in a browser page,
 * and in a Worker (which has no Vitest: it reports each case's outcome).
 */
import { isGgufPagerError, type ErrorCode, type GgufPagerError } from '../../src/errors.ts';
export { prng } from './prng.ts';

export type Case = () => Promise<void>;
export type Cases = Record<string, Case>;

export class CaseFailed extends Error {
  override readonly name = 'CaseFailed';
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CaseFailed(message);
}

export function checkEq<T>(actual: T, expected: T, what: string): void {
  if (!Object.is(actual, expected)) throw new CaseFailed(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Runs `fn`, which must throw a GgufPagerError with `code`; returns the error. */
export function checkThrows(fn: () => unknown, code: ErrorCode, what: string): GgufPagerError {
  try {
    fn();
  } catch (e) {
    if (isGgufPagerError(e, code)) return e;
    throw new CaseFailed(`${what}: expected ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new CaseFailed(`${what}: expected ${code}, nothing was thrown`);
}

/** Like checkThrows, for a promise. */
export async function checkRejects(p: Promise<unknown>, code: ErrorCode, what: string): Promise<GgufPagerError> {
  try {
    await p;
  } catch (e) {
    if (isGgufPagerError(e, code)) return e;
    throw new CaseFailed(`${what}: expected ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  throw new CaseFailed(`${what}: expected ${code}, it resolved`);
}

/** An integer in [lo, hi]. */
export const between = (rnd: () => number, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

/** The byte a block tagged `tag` holds at offset i: differs between blocks and along a block. */
export const patternByte = (tag: number, i: number): number => (tag * 131 + i * 7 + (i >>> 8)) & 255;

export function fillPattern(bytes: Uint8Array, tag: number): void {
  for (let i = 0; i < bytes.length; i++) bytes[i] = patternByte(tag, i);
}

/** The first offset whose byte differs from the pattern, or -1. */
export function patternMismatch(bytes: Uint8Array, tag: number): number {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== patternByte(tag, i)) return i;
  return -1;
}
