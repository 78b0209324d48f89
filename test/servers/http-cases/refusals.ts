import { expect, it } from 'vitest';
import { HttpRangeSource } from '../../../src/sources/http/source.ts';
import { genFile } from '../urls.ts';
import { failure, open, target, type CaseContext } from './context.ts';

/** URLs refused at once (no fetch, no retry), and a redirect loop that costs a bounded number of requests. */
export function refusalCases(ctx: CaseContext): void {
  it('refuses javascript:, data: and other schemes at once with INVALID_ARGUMENT, fetching nothing', async () => {
    let fetches = 0;
    const counting: typeof fetch = (...a) => (fetches++, fetch(...a));
    for (const url of ['javascript:alert(1)', 'data:application/octet-stream;base64,R0dVRg==', 'file:///etc/passwd', 'ftp://127.0.0.1/model.gguf']) {
      const err = await failure(HttpRangeSource.open(url, { fetch: counting, retries: 5 }), 'INVALID_ARGUMENT');
      expect(err.message).toContain(new URL(url).protocol);
    }
    expect(fetches).toBe(0);
  });

  it('gives up on a redirect loop after a bounded number of requests (one retry at most), naming the redirects', async () => {
    const t = target(ctx, genFile(4096, 1), ['redirect-loop']);
    const err = await failure(open(t.url, { retries: 4 }), 'HTTP_NETWORK');
    expect(err.message).toContain('redirect');
    expect(err.details.redirect).toBe(true);
    // fetch follows at most 20 redirects per attempt: two attempts and their HEADs, not five times that.
    const { requests } = await t.stats();
    expect(requests).toBeGreaterThan(2);
    expect(requests).toBeLessThanOrEqual(2 * 22);
  });
}
