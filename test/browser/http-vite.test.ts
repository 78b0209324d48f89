import { describe, expect, inject, it } from 'vitest';
import { HttpRangeSource } from '../../src/sources/http/source.ts';
import { firstPatternMismatch } from '../servers/pattern.ts';

// Vite's own server (sirv) gets simple ranges right and little else (TOOLCHAIN.md):
// a smoke test of plain ranges against the page's own origin.
describe("HttpRangeSource against the page's own Vite server", () => {
  const file = inject('diskFile');

  it('opens a file Vite serves under /@fs/ and reads simple ranges correctly', async () => {
    const src = await HttpRangeSource.open(new URL(file.vitePath, location.href).href, { retries: 0 });
    expect(src.size).toBe(file.size);
    const ranges = [
      [100_000, 4096],
      [70_000, 1],
      [file.size - 10, 10],
      [123, 500_000],
    ] as const;
    for (const [at, n] of ranges) {
      const out = new Uint8Array(n);
      await src.readInto(at, out);
      expect(firstPatternMismatch(out, at, file.seed), `bytes ${at}+${n}`).toBe(-1);
    }
  });
});
