import { describe, expect, it } from 'vitest';
import { SourcePool } from '../../src/runtime/source-pool.ts';
import type { OpenedSources } from '../../src/runtime/open-sources.ts';

function opener() {
  const log = { opens: 0, closes: 0 };
  const open = async (): Promise<OpenedSources> => {
    log.opens++;
    return { sources: [], label: 'x', key: 'x', traffic: () => ({ fromNetwork: 0, fromCache: 0 }), close: async () => void log.closes++ };
  };
  return { log, open };
}

describe('SourcePool', () => {
  it('opens an input once for concurrent users and closes it after the last release', async () => {
    const pool = new SourcePool();
    const { log, open } = opener();
    const [a, b] = await Promise.all([pool.acquire('u', open), pool.acquire('u', open)]);
    expect(log.opens).toBe(1);
    expect(a.opened).toBe(b.opened);
    await a.release();
    await a.release(); // idempotent: does not take b's reference
    expect(log.closes).toBe(0);
    await b.release();
    expect(log.closes).toBe(1);
    expect(pool.size).toBe(0);
    await pool.acquire('u', open);
    expect(log.opens).toBe(2); // closed inputs are opened afresh
  });

  it('keeps no entry for an open that failed, so the next acquire tries again', async () => {
    const pool = new SourcePool();
    const err = new Error('boom');
    await expect(pool.acquire('u', () => Promise.reject(err))).rejects.toBe(err);
    expect(pool.size).toBe(0);
    const { log, open } = opener();
    await pool.acquire('u', open);
    expect(log.opens).toBe(1);
  });
});
