import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../src/sources/memory.ts';
import { isGgufPagerError } from '../../src/errors.ts';
import { patternBytes } from '../servers/pattern.ts';

describe('MemorySource', () => {
  const bytes = patternBytes(0, 4096, 3);
  const src = new MemorySource(bytes, 'fixture.gguf');

  it('reports the size and name it was given', () => {
    expect(src.size).toBe(4096);
    expect(src.identity).toEqual({ size: 4096 });
    expect(src.name).toBe('fixture.gguf');
  });

  it('copies the asked range into the target', async () => {
    const out = new Uint8Array(100);
    await src.readInto(1000, out);
    expect(out).toEqual(bytes.subarray(1000, 1100));
  });

  it('reads the last byte and an empty range at the end', async () => {
    const one = new Uint8Array(1);
    await src.readInto(4095, one);
    expect(one[0]).toBe(bytes[4095]);
    await expect(src.readInto(4096, new Uint8Array(0))).resolves.toBeUndefined();
  });

  it('rejects a read past the end with SOURCE_EOF naming the source and offset', async () => {
    const err = await src.readInto(4000, new Uint8Array(200)).catch((e) => e);
    expect(isGgufPagerError(err, 'SOURCE_EOF')).toBe(true);
    expect(err.message).toContain('fixture.gguf');
    expect(err.message).toContain('4000');
  });

  it('rejects a negative or fractional offset with INVALID_ARGUMENT', async () => {
    await expect(src.readInto(-1, new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(src.readInto(1.5, new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects a read whose signal is already aborted with SOURCE_ABORTED', async () => {
    const out = new Uint8Array(4);
    await expect(src.readInto(0, out, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'SOURCE_ABORTED' });
    expect(out).toEqual(new Uint8Array(4));
  });
});
