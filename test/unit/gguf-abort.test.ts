import { describe, expect, it } from 'vitest';
import type { GgufPagerError } from '../../src/errors.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { CountingSource } from '../cases/gguf-bytes-source.ts';
import { TINY_LLAMA, fixtureSource } from '../cases/gguf-fixtures.ts';

describe('aborting a parse', () => {
  it('stops before the first read when the signal is already aborted', async () => {
    const source = new CountingSource(fixtureSource(TINY_LLAMA));
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(parseGguf(source, { signal: ctrl.signal })).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    expect(source.reads).toEqual([]);
  });

  it('stops at the next read when aborted half way, naming the source and offset', async () => {
    const inner = fixtureSource(TINY_LLAMA);
    const ctrl = new AbortController();
    const source = new CountingSource({
      name: inner.name,
      size: inner.size,
      identity: inner.identity,
      readInto: async (offset, target, opts) => {
        await inner.readInto(offset, target, opts);
        if (offset > 1000) ctrl.abort(); // once a few reads have landed
      },
    });
    const e = (await parseGguf(source, { signal: ctrl.signal }).catch((x: unknown) => x)) as GgufPagerError;
    expect(e.code).toBe('SOURCE_ABORTED');
    expect(e.message).toMatch(/llama-2-tiny-random\.gguf: header read aborted at byte \d+/);
    const lastRead = source.reads[source.reads.length - 1];
    expect(lastRead[0]).toBeGreaterThan(1000);
    expect(source.reads.filter(([off]) => off > 1000)).toHaveLength(1);
  });
});
