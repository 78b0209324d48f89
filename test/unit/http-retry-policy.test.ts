import { describe, expect, it, vi } from 'vitest';
import { backoffMs, isRetryableStatus, retryAfterMs, sleep } from '../../src/sources/http/retry.ts';

describe('retry policy', () => {
  const policy = { retries: 5, baseMs: 100, maxMs: 1000 };

  it('doubles the backoff per attempt, with jitter between half and all of it', () => {
    expect(backoffMs(0, policy, () => 0)).toBe(50);
    expect(backoffMs(0, policy, () => 1)).toBe(100);
    expect(backoffMs(2, policy, () => 0)).toBe(200);
    expect(backoffMs(2, policy, () => 1)).toBe(400);
  });

  it('never waits longer than maxMs, even after many attempts', () => {
    expect(backoffMs(3, policy, () => 1)).toBe(800);
    expect(backoffMs(4, policy, () => 1)).toBe(1000);
    expect(backoffMs(500, policy, () => 1)).toBe(1000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('retries 408, 429 and server errors, not client errors or 501/505', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(isRetryableStatus(s), String(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 410, 416, 501, 505]) expect(isRetryableStatus(s), String(s)).toBe(false);
  });

  it('cuts a sleep short when its signal aborts', async () => {
    vi.useFakeTimers();
    try {
      const ctrl = new AbortController();
      let done = false;
      const slept = sleep(5000, ctrl.signal).then(() => (done = true));
      await vi.advanceTimersByTimeAsync(20);
      expect(done).toBe(false);
      ctrl.abort();
      await slept;
      expect(vi.getTimerCount(), 'the sleep timer is cleared').toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
