import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { GgufPagerError, isGgufPagerError } from '../../src/errors.ts';
import { installErrorTransfer } from '../../src/runtime/transfer.ts';
import type { ThrowingApi } from './workers/throwing-worker.ts';

installErrorTransfer();
const worker = new Worker(new URL('./workers/throwing-worker.ts', import.meta.url), { type: 'module' });
const api = Comlink.wrap<ThrowingApi>(worker);
afterAll(() => worker.terminate());

describe('errors thrown in the worker', () => {
  it('arrive on the main thread as GgufPagerError with their code and details', async () => {
    const err = await api.failWith('HTTP_STATUS', 'https://example.test/m.gguf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GgufPagerError);
    expect(isGgufPagerError(err, 'HTTP_STATUS')).toBe(true);
    const e = err as GgufPagerError;
    expect(e.message).toContain('https://example.test/m.gguf');
    expect(e.details.status).toBe(404);
    expect(e.details.url).toBe('https://example.test/m.gguf');
    expect(String(e.details.fn)).toContain('=>'); // a function cannot be cloned: sent as text, not lost silently
    expect(e.stack).toContain('in worker');
  });

  it('leave other errors as comlink sends them (message and name)', async () => {
    const err = (await api.failPlain().catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(GgufPagerError);
    expect(err.message).toBe('plain failure');
  });
});
