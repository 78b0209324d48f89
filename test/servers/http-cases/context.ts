/**
 * The HttpRangeSource behaviours, written once and run twice: in Node against
 * the range server started by the unit test (test/unit/http-source-*.test.ts)
 * and in headless Chromium against the same server, cross-origin
 * (test/browser/http-source-*.test.ts).
 */
import { expect } from 'vitest';
import { HttpRangeSource, type HttpRangeOptions } from '../../../src/sources/http/source.ts';
import { GgufPagerError, type ErrorCode } from '../../../src/errors.ts';
import { serverStats, serverUrl, unique } from '../urls.ts';
import type { TagStats } from '../range-server.ts';

export interface CaseContext {
  /** The range server's base URL, known once the suite's setup ran. */
  base(): string;
}

/** A fresh URL on the server with `faults`, its own fault counters and its own stats tag. */
export function target(ctx: CaseContext, file: string, faults: string[] = []): { url: string; stats(): Promise<TagStats> } {
  const tag = unique('tag');
  const url = serverUrl(ctx.base(), file, { faults, tag });
  return { url, stats: () => serverStats(ctx.base(), tag) };
}

/** Defaults for tests: fast retries, reads go to the network (tiny head). */
export const FAST: HttpRangeOptions = { retryBaseMs: 5, retryMaxMs: 200, headBytes: 16 };

export const open = (url: string, opts: HttpRangeOptions = {}) => HttpRangeSource.open(url, { ...FAST, ...opts });

/** The rejection of `p`, which must be a GgufPagerError with `code`. */
export async function failure(p: Promise<unknown>, code: ErrorCode): Promise<GgufPagerError> {
  const err = await p.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err, String(err)).toBeInstanceOf(GgufPagerError);
  expect((err as GgufPagerError).code, (err as Error).message).toBe(code);
  return err as GgufPagerError;
}
