/**
 * When to try a request again and how long to wait: capped exponential
 * backoff with jitter, and `Retry-After` (seconds or an HTTP date), capped.
 * No I/O here; the HTTP source decides what is retryable.
 */

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No wait is longer than this, `Retry-After` included. */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (0 = first retry): half of
 * `min(maxMs, baseMs * 2^attempt)` fixed plus up to the other half at random
 * ("equal jitter": never zero, spreads clients apart).
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * A `Retry-After` header in milliseconds from `now`, or undefined when absent
 * or unreadable. Dates in the past give 0. The caller caps it.
 */
export function retryAfterMs(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** HTTP statuses worth another try: request timeout, too many requests, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Waits `ms`, or less if `signal` aborts (then resolves early; the caller checks `signal.aborted`). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
