/**
 * `HttpRangeSource`: a PagerSource over HTTP Range requests, for the browser
 * and Node 20 (global `fetch`, or an injected one).
 *
 * - `open` sends one `Range: bytes=0-<headBytes-1>` GET (no HEAD): its
 *   `Content-Range` gives the size, its ETag / Last-Modified the identity, and
 *   its body is kept as the file's head, so the first header reads of a parser
 *   cost no request. An HTML answer (by Content-Type, or bytes starting with
 *   `<!DOCTYPE` / `<html`) is `HTTP_NOT_MODEL`. A 200 is accepted only when
 *   the whole file fits in `headBytes` (small files, Range-ignoring servers);
 *   otherwise it is `HTTP_RANGE_IGNORED` and the body is cancelled. Later, a
 *   200 is accepted only for a read of the whole file with the same identity.
 * - A 206 whose `Content-Range` covers the range asked is accepted even when
 *   it holds more (Vite's dev server and `vite preview`, through sirv, answer
 *   `bytes=0-0` with the whole file): the bytes asked are taken, nothing past
 *   them is read, and the rest of the body is cancelled (http-body.ts).
 * - Every later request sends `If-Range` (strong ETag, else Last-Modified), so
 *   a changed file answers 200 and is reported as `SOURCE_CHANGED`; the size,
 *   ETag and Last-Modified of every answer are compared with the identity too.
 * - Bodies are streamed chunk by chunk into the caller's target (see
 *   http-body.ts); reads are queued, coalesced and limited to `maxConcurrent`
 *   requests (http-batch.ts).
 * - Network errors, stalls (no byte for `stallMs`, or fewer than
 *   `minBytesPerSecond` over a `rateWindowMs` window), 5xx, 408 and 429 are
 *   retried with capped exponential backoff + jitter or the server's
 *   `Retry-After` (capped at `retryMaxMs`); a retry resumes after the last
 *   byte received. After `retries` failed attempts in a row without progress
 *   the read fails with `HTTP_NETWORK` or `HTTP_STATUS`.
 * - An aborted signal (per read, or the source's) rejects at once with
 *   `SOURCE_ABORTED`, cancels the request if no other read needs it, and
 *   nothing is written into that read's target afterwards.
 */
import { GgufPagerError } from '../../errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../source.ts';
import { deliver, ReadQueue, type PendingRead, type ReadGroup } from './batch.ts';
import { readSmallBody, streamBody, type ChunkSink } from './body.ts';
import { identityOf, ifRangeValue, looksLikeHtml } from './headers.ts';
import { classify, covers, expectRange } from './response.ts';
import { diagnose, rateWatch } from './watch.ts';
import { checkRead } from '../read-check.ts';
import { baseHref, checkModelUrl } from './url.ts';
import { backoffMs, sleep, type RetryPolicy } from './retry.ts';

export interface HttpRangeOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Most requests in flight at once (default 6). */
  maxConcurrent?: number;
  /** Retries after a failed attempt that made no progress (default 4). */
  retries?: number;
  /** First backoff delay before jitter, ms (default 250). */
  retryBaseMs?: number;
  /** Longest wait between attempts, `Retry-After` included, ms (default 8000). */
  retryMaxMs?: number;
  /** Called after every chunk with the total bytes received so far by this source. */
  onProgress?: (bytes: number) => void;
  /** Aborts `open` and every read of this source, like `close()`. */
  signal?: AbortSignal;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Bytes `open` reads and keeps from offset 0 (default 64 KiB, at least 1). */
  headBytes?: number;
  /** Waiting reads at most this far apart share one request (default 16 KiB). */
  coalesceGapBytes?: number;
  /** A shared request spans at most this many bytes (default 32 MiB). */
  coalesceMaxBytes?: number;
  /** An attempt with no byte for this long is abandoned and retried (default 30 s). */
  stallMs?: number;
  /**
   * An attempt that receives fewer than this many bytes per second over a
   * whole `rateWindowMs` is a stall too (default 1024: a server that trickles
   * a byte every few seconds never trips `stallMs`). 0 turns the check off.
   */
  minBytesPerSecond?: number;
  /** The window `minBytesPerSecond` is measured over, ms (default 30 s). */
  rateWindowMs?: number;
  /**
   * Stalled attempts of one read retried (resuming after the last byte) before
   * it fails with `HTTP_STALLED` (default 2: at the default stall timeout a
   * read that keeps stalling fails after about 90 s). Progress between stalls
   * does not reset this count, unlike other failures.
   */
  stallRetries?: number;
  /** Called each time an attempt is abandoned for a stall (before its retry, or the failure). */
  onStall?: (s: HttpStall) => void;
  /**
   * Send `If-Range` on reads after open (default true). Cross-origin, it makes
   * every new URL preflighted, so the server must allow it in
   * `Access-Control-Allow-Headers`; with `false` a change is still caught by
   * comparing the size, ETag and Last-Modified of each answer.
   */
  ifRange?: boolean;
}

export interface HttpStall {
  url: string;
  /** The read's range, `bytes=<first>-<last>`, and the byte it stalled at. */
  range: string;
  at: number;
  /** Stalled attempts of this read so far. */
  stalls: number;
  stallMs: number;
  /** True when this stall ends the read with HTTP_STALLED. */
  final: boolean;
}

export interface HttpRangeStats {
  /** Range GETs sent, retries included. */
  requests: number;
  /** Attempts that failed and were tried again. */
  retries: number;
  /** Body bytes received (gap bytes of coalesced reads included). */
  bytesReceived: number;
  /** Milliseconds waited (scheduled) between attempts: backoff or the server's `Retry-After`, after the `retryMaxMs` cap. */
  retryWaitMs: number;
}

type Handler = (res: Response, sink: (s: ChunkSink) => ChunkSink) => Promise<void>;

export class HttpRangeSource implements PagerSource {
  readonly stats: HttpRangeStats = { requests: 0, retries: 0, bytesReceived: 0, retryWaitMs: 0 };
  private id: SourceIdentity = { size: 0 };
  private head: Uint8Array = new Uint8Array(0);
  private readonly life = new AbortController();
  private readonly groups = new Map<ReadGroup, AbortController>();
  private readonly queue: ReadQueue;
  private readonly fetchFn: typeof fetch;
  private readonly retry: RetryPolicy;
  private readonly stallMs: number;

  private constructor(
    readonly name: string,
    private readonly opts: HttpRangeOptions,
  ) {
    checkModelUrl(name, baseHref());
    const numbers = [
      'maxConcurrent',
      'retries',
      'retryBaseMs',
      'retryMaxMs',
      'headBytes',
      'coalesceGapBytes',
      'coalesceMaxBytes',
      'stallMs',
      'stallRetries',
      'minBytesPerSecond',
      'rateWindowMs',
    ] as const;
    for (const k of numbers) {
      const v = opts[k];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
        throw new GgufPagerError('INVALID_ARGUMENT', `${name}: option ${k} = ${v} is not a non-negative number`, { url: name, [k]: v });
      }
    }
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.retry = { retries: opts.retries ?? 4, baseMs: opts.retryBaseMs ?? 250, maxMs: opts.retryMaxMs ?? 8000 };
    this.stallMs = opts.stallMs ?? 30_000;
    const policy = { gapBytes: opts.coalesceGapBytes ?? 16 << 10, maxBytes: opts.coalesceMaxBytes ?? 32 << 20, maxReads: 256 };
    this.queue = new ReadQueue(Math.max(1, opts.maxConcurrent ?? 6), policy, (g) => this.runGroup(g));
    if (opts.signal?.aborted) this.life.abort();
    else opts.signal?.addEventListener('abort', this.onSourceAbort, { once: true });
  }

  private readonly onSourceAbort = () => void this.close();

  /** Opens `url`: one range GET learns the size and identity and keeps the first `headBytes`. */
  static async open(url: string, opts: HttpRangeOptions = {}): Promise<HttpRangeSource> {
    const src = new HttpRangeSource(url, opts);
    await src.probe();
    return src;
  }

  get size(): number {
    return this.id.size;
  }

  get identity(): SourceIdentity {
    return { ...this.id };
  }

  readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    try {
      checkRead(this.name, this.id.size, offset, target);
    } catch (e) {
      return Promise.reject(e);
    }
    const end = offset + target.length;
    if (this.life.signal.aborted || opts?.signal?.aborted) return Promise.reject(this.aborted(offset, end));
    if (end <= this.head.length) {
      target.set(this.head.subarray(offset, end));
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const signal = opts?.signal;
      const onAbort = () => {
        if (read.settled) return;
        read.settled = true;
        this.queue.remove(read);
        reject(this.aborted(offset, end));
        for (const [g, ctrl] of this.groups) if (g.reads.every((r) => r.settled)) ctrl.abort();
      };
      const read: PendingRead = {
        offset,
        length: target.length,
        target,
        settled: false,
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(read);
    });
  }

  /**
   * Streams bytes [offset, offset + length) to `sink`, in order, in one request
   * outside the read queue (resumed after the last byte on a retry). The
   * download pipeline's path: each piece comes from a reused bounce buffer and
   * is valid only during the call, so nothing the size of the range is held.
   */
  async streamRange(offset: number, length: number, sink: ChunkSink, opts: ReadOptions = {}): Promise<void> {
    checkRead(this.name, this.id.size, offset, new Uint8Array(0));
    if (offset + length > this.id.size || !Number.isSafeInteger(length) || length < 0) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: stream of ${length} bytes at offset ${offset} is past the end (${this.id.size} bytes)`, {
        source: this.name,
        offset,
        length,
        size: this.id.size,
      });
    }
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.life.signal]) : this.life.signal;
    if (signal.aborted) throw this.aborted(offset, offset + length);
    const end = offset + length;
    let pos = offset;
    const onward: ChunkSink = (chunk, at) => {
      sink(chunk, at);
      pos = at + chunk.length;
    };
    await this.retrying(
      signal,
      () => pos,
      () => {
        if (pos >= end) return Promise.resolve();
        const from = pos;
        return this.attempt(from, end, true, signal, async (res, counted) => {
          const span = expectRange(res, { url: this.name, from, to: end }, this.id);
          await streamBody(res, this.name, from, end - from, counted(onward), span);
        });
      },
      offset,
      end,
    );
  }

  /** Rejects waiting reads with SOURCE_ABORTED and cancels requests in flight. Idempotent. */
  async close(): Promise<void> {
    this.opts.signal?.removeEventListener('abort', this.onSourceAbort);
    this.life.abort();
    this.queue.rejectAll((r) => this.aborted(r.offset, r.offset + r.length));
    for (const ctrl of this.groups.values()) ctrl.abort();
  }

  /** The first request: size, identity, head bytes, and "is this a model at all". */
  private async probe(): Promise<void> {
    const want = Math.max(1, this.opts.headBytes ?? 64 << 10);
    const asked = { url: this.name, from: 0, to: want };
    let progressed = 0;
    await this.retrying(
      this.life.signal,
      () => progressed,
      () =>
        this.attempt(0, want, false, this.life.signal, async (res, sink) => {
          const answer = classify(res, asked);
          if (answer.kind === 'unsatisfied') {
            if (answer.total !== 0)
              throw new GgufPagerError('HTTP_RANGE_NOT_SATISFIABLE', `${this.name} answered bytes 0-${want - 1} with 416 for a file of ${answer.total} bytes`, {
                url: this.name,
                status: 416,
              });
            this.id = identityOf(res.headers, 0);
            return;
          }
          if (answer.kind === 'whole') {
            const body =
              answer.length === undefined || answer.length <= want
                ? await readSmallBody(
                    res,
                    want,
                    sink(() => undefined),
                  )
                : undefined;
            if (!body) {
              res.body?.cancel().catch(() => undefined);
              throw new GgufPagerError(
                'HTTP_RANGE_IGNORED',
                `${this.name} ignored the Range header: it answered bytes 0-${want - 1} with 200 and a body over ${want} bytes`,
                { url: this.name, status: 200 },
              );
            }
            return this.setHead(res, body, body.length);
          }
          // The answer may hold more than asked (sirv answers `bytes=0-0` with the whole file): take the head, cancel the rest.
          if (answer.total === undefined || !covers(answer, { url: this.name, from: 0, to: Math.min(want, answer.total) })) {
            throw new GgufPagerError(
              'HTTP_BAD_CONTENT_RANGE',
              `${this.name} answered bytes 0-${want - 1} with Content-Range bytes ${answer.start}-${answer.end}/${answer.total ?? '*'}`,
              { url: this.name, status: 206 },
            );
          }
          const body = new Uint8Array(Math.min(want, answer.total));
          await streamBody(
            res,
            this.name,
            0,
            body.length,
            sink((chunk, at) => (body.set(chunk, at), (progressed = at + chunk.length))),
            { start: 0, end: answer.end + 1 },
          );
          this.setHead(res, body, answer.total);
        }),
      0,
      want,
    );
  }

  private setHead(res: Response, body: Uint8Array, size: number): void {
    if (looksLikeHtml(body)) {
      throw new GgufPagerError(
        'HTTP_NOT_MODEL',
        `${this.name} is an HTML page, not model bytes (it starts with ${JSON.stringify(new TextDecoder().decode(body.subarray(0, 16)))})`,
        { url: this.name, status: res.status },
      );
    }
    this.id = identityOf(res.headers, size);
    this.head = body;
  }

  /** Serves one coalesced group, resuming after the last byte received on each retry. */
  private async runGroup(group: ReadGroup): Promise<void> {
    const ctrl = new AbortController();
    const signal = AbortSignal.any([ctrl.signal, this.life.signal]);
    this.groups.set(group, ctrl);
    let pos = group.start;
    const toReads: ChunkSink = (chunk, at) => {
      deliver(group.reads, chunk, at);
      pos = at + chunk.length;
    };
    try {
      await this.retrying(
        signal,
        () => pos,
        () => {
          const live = group.reads.filter((r) => !r.settled);
          if (live.length === 0) return Promise.resolve();
          const from = Math.max(pos, Math.min(...live.map((r) => r.offset)));
          const to = Math.max(...live.map((r) => r.offset + r.length));
          return this.attempt(from, to, true, signal, async (res, sink) => {
            const span = expectRange(res, { url: this.name, from, to }, this.id);
            await streamBody(res, this.name, from, to - from, sink(toReads), span);
          });
        },
        group.start,
        group.end,
      );
    } catch (e) {
      for (const r of group.reads) if (!r.settled) (r.settled = true), r.reject(e);
    } finally {
      this.groups.delete(group);
    }
  }

  /** Runs `attempt` until it succeeds, fails for good, or `signal` aborts. Bytes [from, to) name the read in a stall. */
  private async retrying(signal: AbortSignal, progress: () => number, attempt: () => Promise<void>, from = 0, to = 0): Promise<void> {
    let stalls = 0;
    for (let failures = 0; ; ) {
      const mark = progress();
      try {
        return await attempt();
      } catch (e) {
        const err = e as GgufPagerError;
        if (progress() > mark) failures = 0;
        if (err.details?.stalled === true) {
          stalls++;
          const final = stalls > (this.opts.stallRetries ?? 2) || failures >= this.retry.retries;
          const range = to > from ? `bytes=${from}-${to - 1}` : 'the first bytes';
          try {
            this.opts.onStall?.({ url: this.name, range, at: progress(), stalls, stallMs: this.stallMs, final });
          } catch {
            /* a throwing callback must not change the outcome */
          }
          if (final) {
            const why = typeof err.details.stallWhy === 'string' ? err.details.stallWhy : `no data for ${this.stallMs} ms`;
            throw new GgufPagerError(
              'HTTP_STALLED',
              `${this.name}: ${range} stalled at byte ${progress()}: ${why}, ${stalls} time(s) (resumed after each)`,
              {
                url: this.name,
                offset: from,
                length: to - from,
                at: progress(),
                stalls,
                stallMs: this.stallMs,
                ...(why.includes('minimum') ? { slow: true } : {}),
              },
              { cause: err },
            );
          }
        }
        // A failure while following redirects is tried once more, not `retries` times: each attempt can cost
        // the browser's 20 redirects.
        const allowed = err.details.redirect === true ? Math.min(1, this.retry.retries) : this.retry.retries;
        if (err.details.retryable !== true || failures >= allowed) {
          if (failures === 0 || err.details.retryable !== true) throw err;
          throw new GgufPagerError(err.code, `${err.message} (gave up after ${failures + 1} attempts)`, err.details, { cause: err.cause });
        }
        const after = err.details.retryAfterMs;
        const wait = Math.min(this.retry.maxMs, typeof after === 'number' ? after : backoffMs(failures, this.retry));
        failures++;
        this.stats.retries++;
        this.stats.retryWaitMs += wait;
        await sleep(wait, signal);
        if (signal.aborted) throw this.aborted(0, 0);
      }
    }
  }

  /** One GET of bytes [from, to), handed to `handle`; failures become GgufPagerErrors. */
  private async attempt(from: number, to: number, withIfRange: boolean, signal: AbortSignal, handle: Handler): Promise<void> {
    const stall = new AbortController();
    let last = Date.now();
    let why = '';
    const rate = rateWatch(this.opts.minBytesPerSecond ?? 1024, this.opts.rateWindowMs ?? 30_000, to - from);
    const watchdog = setInterval(
      () => {
        const now = Date.now();
        if (now - last > this.stallMs) why = `no data for ${this.stallMs} ms`;
        else why = rate.check(now);
        if (why) stall.abort();
      },
      Math.max(5, Math.min(this.stallMs, this.opts.rateWindowMs ?? 30_000) / 4),
    );
    const headers: Record<string, string> = { ...this.opts.headers, Range: `bytes=${from}-${to - 1}` };
    const ifRange = withIfRange && this.opts.ifRange !== false ? ifRangeValue(this.id) : undefined;
    if (ifRange) headers['If-Range'] = ifRange;
    const counted =
      (sink: ChunkSink): ChunkSink =>
      (chunk, at) => {
        last = Date.now();
        rate.add(chunk.length);
        this.stats.bytesReceived += chunk.length;
        try {
          sink(chunk, at);
        } catch (e) {
          throw new GgufPagerError(
            'INVALID_ARGUMENT',
            `${this.name}: could not copy bytes ${at}-${at + chunk.length - 1} into the read's target (detached by a memory.grow?)`,
            { url: this.name, offset: at },
            { cause: e },
          );
        }
        try {
          this.opts.onProgress?.(this.stats.bytesReceived);
        } catch (e) {
          throw new GgufPagerError(
            'INVALID_ARGUMENT',
            `${this.name}: the onProgress callback threw: ${String(e)}`,
            { url: this.name, offset: at },
            { cause: e },
          );
        }
      };
    this.stats.requests++;
    try {
      const res = await this.fetchFn(this.name, { cache: 'no-store', headers, signal: AbortSignal.any([signal, stall.signal]) });
      last = Date.now();
      rate.begin(last);
      await handle(res, counted).catch((e) => {
        res.body?.cancel().catch(() => undefined);
        throw e;
      });
    } catch (e) {
      if (signal.aborted) throw this.aborted(from, to);
      if (e instanceof GgufPagerError) throw e;
      if (!stall.signal.aborted) {
        // What a HEAD that follows no redirect shows: a redirect (the GET's failure came from following it: a loop,
        // too many hops, a target refusing CORS), or a compression Chromium refuses on a range without showing it.
        const seen = await diagnose(this.fetchFn, this.name, this.opts.headers, signal);
        if (seen.redirect) {
          throw new GgufPagerError(
            'HTTP_NETWORK',
            `${this.name} redirects, and following its redirects failed for bytes ${from}-${to - 1} (a redirect loop, too many redirects, or a target that refuses the request): ${String((e as Error)?.message ?? e)}`,
            { url: this.name, offset: from, length: to - from, retryable: true, redirect: true },
            { cause: e },
          );
        }
        if (seen.coding) {
          throw new GgufPagerError(
            'HTTP_CONTENT_ENCODING',
            `${this.name} answers bytes ${from}-${to - 1} with Content-Encoding: ${seen.coding}, which the browser refuses on a range (its request fails as a network error); serve model files uncompressed`,
            { url: this.name, offset: from, length: to - from, contentEncoding: seen.coding },
            { cause: e },
          );
        }
      }
      const what = stall.signal.aborted ? why : String((e as Error)?.message ?? e);
      throw new GgufPagerError(
        'HTTP_NETWORK',
        `${this.name}: network error reading bytes ${from}-${to - 1}: ${what}`,
        { url: this.name, offset: from, length: to - from, retryable: true, ...(stall.signal.aborted ? { stalled: true, stallWhy: why } : {}) },
        { cause: e },
      );
    } finally {
      clearInterval(watchdog);
    }
  }

  private aborted(from: number, to: number): GgufPagerError {
    const what = to > from ? `read of bytes ${from}-${to - 1}` : 'request';
    return new GgufPagerError('SOURCE_ABORTED', `${this.name}: ${what} aborted`, { url: this.name, offset: from, length: to - from });
  }
}
