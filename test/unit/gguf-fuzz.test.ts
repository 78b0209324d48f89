import { describe, expect, it } from 'vitest';
import { GgufPagerError } from '../../src/errors.ts';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { writeGguf } from '../../src/authoring/write.ts';
import { tinyModel } from '../cases/gguf-build.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';
import { mutate, prng } from '../cases/gguf-fuzz.ts';

const ITERATIONS = 4000;
/**
 * A parse reads the header in a few windows (at most 8 reads measured over these
 * iterations); a mutation must not turn that into a read per field or a loop.
 */
const MAX_READS_PER_PARSE = 16;

const BASES: Uint8Array[] = [
  tinyModel(),
  writeGguf({
    metadata: [
      ['general.alignment', 64, T.UINT32],
      ['nested', [[1, 2], ['a', 'b'], [[true]]]],
      ['u64', 2n ** 60n, T.UINT64],
      ['f', [0.5, 1.5], { array: T.FLOAT64 }],
      ['s', 'text'],
    ],
    tensors: [
      { name: 'q', type: 'Q4_K', dims: [256, 2] },
      { name: 'f', type: 'F16', dims: [8] },
    ],
    alignment: 64,
  }),
];

describe('parsing seeded random mutations of valid headers', () => {
  it(`ends each of ${ITERATIONS} in a model or a typed GgufPagerError, in a bounded number of reads and within bounded memory`, async () => {
    const rand = prng(0x5eed);
    const codes = new Map<string, number>();
    const baseline = process.memoryUsage();
    let peak = 0;
    let mostReads = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const base = BASES[i % BASES.length];
      const headerEnd = (await parseGguf(new BytesSource(base))).tensorDataOffset;
      const { bytes, kind } = mutate(base, headerEnd, rand);
      const source = new BytesSource(bytes, `fuzz-${i}.gguf`);
      try {
        const model = await parseGguf(source, i % 3 === 0 ? { limits: { maxArrayLength: 4, maxStringLength: 64 } } : undefined);
        codes.set('ok', (codes.get('ok') ?? 0) + 1);
        expect(model.tensors.every((t) => t.offset + t.size <= bytes.length)).toBe(true);
      } catch (e) {
        if (!(e instanceof GgufPagerError)) throw new Error(`iteration ${i} (${kind}) threw ${String(e)}`, { cause: e });
        expect(e.message, `iteration ${i}`).toContain(`fuzz-${i}.gguf`);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      mostReads = Math.max(mostReads, source.reads.length);
      expect(source.bytesRead, `iteration ${i}`).toBeLessThanOrEqual(bytes.length); // never more than the file, however it was mutated
      expect(source.highestByteRead).toBeLessThanOrEqual(bytes.length);
      if (i % 100 === 0) {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - baseline.heapUsed - baseline.arrayBuffers);
      }
    }
    expect(mostReads).toBeLessThanOrEqual(MAX_READS_PER_PARSE);
    expect(peak).toBeLessThan(64 * 1024 * 1024);
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(6); // the mutations reach many different checks
  });
});
