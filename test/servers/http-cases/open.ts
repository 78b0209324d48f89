import { expect, it } from 'vitest';
import { firstPatternMismatch } from '../pattern.ts';
import { genFile } from '../urls.ts';
import { failure, open, target, type CaseContext } from './context.ts';

/** Opening: size, identity, the head kept from the first request, and answers that are not a model. */
export function openCases(ctx: CaseContext): void {
  it('learns size, ETag and Last-Modified from one range GET and serves the head without another request', async () => {
    const t = target(ctx, genFile(300_000, 1));
    const src = await open(t.url, { headBytes: 4096 });
    expect(src.size).toBe(300_000);
    expect(src.identity.etag).toBe('"gen-300000-1"');
    expect(src.identity.lastModified).toMatch(/GMT$/);
    const head = new Uint8Array(4096);
    await src.readInto(0, head);
    expect(firstPatternMismatch(head, 0, 1)).toBe(-1);
    expect(src.stats.requests).toBe(1);
    expect((await t.stats()).ranges).toEqual(['bytes=0-4095']);
  });

  it('reads every byte of the file correctly in uneven pieces', async () => {
    const size = 1_000_003;
    const src = await open(target(ctx, genFile(size, 2)).url);
    const out = new Uint8Array(size);
    const cuts = [0, 7, 4096, 65_537, 300_001, 999_999, size];
    await Promise.all(cuts.slice(1).map((end, i) => src.readInto(cuts[i], out.subarray(cuts[i], end))));
    expect(firstPatternMismatch(out, 0, 2)).toBe(-1);
  });

  it('opens a file smaller than the head request and an empty file', async () => {
    const small = await open(target(ctx, genFile(10, 3)).url, { headBytes: 64 });
    expect(small.size).toBe(10);
    const empty = await open(target(ctx, genFile(0, 3)).url);
    expect(empty.size).toBe(0);
    await expect(empty.readInto(0, new Uint8Array(0))).resolves.toBeUndefined();
  });

  it('accepts a 200 from a server that ignores Range when the whole file fits in the head', async () => {
    const src = await open(target(ctx, genFile(1000, 4), ['ignore-range']).url, { headBytes: 4096 });
    expect(src.size).toBe(1000);
    const out = new Uint8Array(1000);
    await src.readInto(0, out);
    expect(firstPatternMismatch(out, 0, 4)).toBe(-1);
  });

  it('rejects a server that ignores Range for a larger file with HTTP_RANGE_IGNORED, naming the URL', async () => {
    const t = target(ctx, genFile(1 << 20, 4), ['ignore-range']);
    const err = await failure(open(t.url, { headBytes: 4096 }), 'HTTP_RANGE_IGNORED');
    expect(err.message).toContain(t.url);
  });

  it('rejects an HTML page by its Content-Type and by its first bytes with HTTP_NOT_MODEL', async () => {
    await failure(open(target(ctx, genFile(1000, 5), ['html']).url), 'HTTP_NOT_MODEL');
    const err = await failure(open(target(ctx, genFile(1000, 5), ['html-body']).url), 'HTTP_NOT_MODEL');
    expect(err.message).toContain('<!DOCTYPE');
  });

  it('rejects a missing file with HTTP_STATUS naming the URL and 404, without retrying', async () => {
    const t = target(ctx, 'no/such/model.gguf');
    const err = await failure(open(t.url), 'HTTP_STATUS');
    expect(err.message).toContain(t.url);
    expect(err.message).toContain('404');
    expect(err.details.status).toBe(404);
    expect((await t.stats()).requests).toBe(1);
  });

  it('rejects reads past the end with SOURCE_EOF before any request', async () => {
    const src = await open(target(ctx, genFile(100, 6)).url);
    await failure(src.readInto(90, new Uint8Array(11)), 'SOURCE_EOF');
    expect(src.stats.requests).toBe(1);
  });

  it('reports 416 to a satisfiable range as HTTP_RANGE_NOT_SATISFIABLE', async () => {
    await failure(open(target(ctx, genFile(1000, 7), ['always-416']).url), 'HTTP_RANGE_NOT_SATISFIABLE');
  });

  it('rejects a nonsense option with INVALID_ARGUMENT instead of hanging', async () => {
    await failure(open(target(ctx, genFile(100, 8)).url, { maxConcurrent: Number.NaN }), 'INVALID_ARGUMENT');
    await failure(open(target(ctx, genFile(100, 8)).url, { retries: -1 }), 'INVALID_ARGUMENT');
  });
}
