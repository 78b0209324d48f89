import { expect, it } from 'vitest';
import { kqCore, randomKWeights, randomActivations, K_TYPES, K_INFO } from '../cases/kquant-harness.ts';
import { prng } from '../cases/prng.ts';
for (const build of ['simd', 'relaxed'] as const)
  for (const type of K_TYPES)
    it(`${build} ${type}: K1's kMatvec/kMatmul/kGetRows agree with kq*`, async () => {
      const kc = await kqCore(build, 8 << 20);
      const k = kc.core.kernels;
      const x = kc.core.exports;
      const id = K_INFO[type].id;
      const rnd = prng(5);
      const rows = 7,
        cols = 512,
        batch = 6;
      const wb = randomKWeights(type, rows, cols, rnd, true);
      const w = kc.alloc(wb.length);
      kc.bytes(w, wb.length).set(wb);
      const xs = kc.alloc(batch * cols * 4);
      for (let b = 0; b < batch; b++) kc.f32(xs + b * cols * 4, cols).set(randomActivations(cols, rnd));
      const work = kc.alloc(k.workBytes(id, cols, batch));
      const y = kc.alloc(batch * rows * 4);
      k.matmul(id, w, rows, cols, xs, batch, y, work);
      const ab = x.kqQ8KBytes(cols);
      const acts = kc.alloc(batch * ab);
      for (let b = 0; b < batch; b++) expect(x.kqQuantizeQ8K(xs + b * cols * 4, acts + b * ab, cols)).toBe(0);
      const y2 = kc.alloc(batch * rows * 4);
      expect(x.kqMatmul(id, w, rows, cols, acts, batch, y2)).toBe(0);
      expect(Array.from(kc.f32(y, batch * rows))).toEqual(Array.from(kc.f32(y2, batch * rows)));
      const yv = kc.alloc(rows * 4);
      k.matvec(id, w, rows, cols, xs, yv, work);
      expect(Array.from(kc.f32(yv, rows))).toEqual(Array.from(kc.f32(y2, rows)));
      const row = kc.alloc(cols * 4);
      k.getRows(id, w, cols, 3, row);
      const all = kc.alloc(rows * cols * 4);
      expect(x.kqDequant(id, w, all, rows * cols)).toBe(0);
      expect(Array.from(kc.f32(row, cols))).toEqual(Array.from(kc.f32(all + 3 * cols * 4, cols)));
      expect(k.supports(id)).toBe(true);
    });
