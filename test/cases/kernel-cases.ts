/**
 * Weight-kernel behaviours (assembly/kernels/, src/core/kernels.ts), one case each, for one core build. Run in
 * Node (test/unit/kernels.test.ts), a Chromium page (test/browser/kernels.test.ts) and a Worker
 * (test/browser/kernels-worker.test.ts), against both builds (SIMD and Relaxed SIMD).
 */
import { SUPPORTED_TYPES, unsupportedTensors, unsupportedTensorsError } from '../../src/core/kernels.ts';
import { GgmlType } from '../../src/gguf/ggml-types.ts';
import { type Cases, check, checkEq, checkThrows, prng } from './arena-harness.ts';
import type { CoreBuildName } from './core-builds.ts';
import { blockMins, FLOAT_TYPES, K1_TYPES, kernelCore, randomActivations, randomWeights, reference } from './kernel-setup.ts';
import { quantVector } from './kernel-vectors.ts';
import { nearestF16 } from './kv-f16.ts';
import { kernelMatmulCases } from './kernel-matmul.ts';

/** f16 → f32 by arithmetic (not bit tricks): the independent oracle of the core's conversion. */
function f16Reference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (e === 0 ? m * 2 ** -24 : (1 + m / 1024) * 2 ** (e - 15));
}

export function kernelCases(build: CoreBuildName): Cases {
  const cases: Cases = {};
  for (const type of K1_TYPES) {
    cases[`decodes ${type} bit for bit like ggml's gguf.quants.dequantize (edge scales included)`] = async () => {
      const v = quantVector(type);
      const kc = await kernelCore(build, 1024 * 1024);
      const k = kc.core.kernels;
      const n = v.blocks * v.blockSize;
      const src = kc.alloc(v.raw.length);
      const dst = kc.alloc(n * 4);
      kc.bytes(src, v.raw.length).set(v.raw);
      k.dequant(v.typeId, src, dst, n);
      const got = new Uint32Array(kc.core.memory.buffer, dst, n);
      for (let i = 0; i < n; i++) {
        if (got[i] !== v.dequant[i]) {
          throw new Error(`${type} element ${i} (block ${Math.floor(i / v.blockSize)}): bits 0x${got[i]!.toString(16)}, ggml 0x${v.dequant[i]!.toString(16)}`);
        }
      }
      // get_rows over the same bytes seen as a matrix of one-block rows decodes each row the same way
      const cols = FLOAT_TYPES.includes(type) ? 16 : v.blockSize;
      const row = kc.alloc(cols * 4);
      for (let r = 0; r < n / cols; r++) {
        k.getRows(v.typeId, src, cols, r, row);
        const bits = new Uint32Array(kc.core.memory.buffer, row, cols);
        for (let i = 0; i < cols; i++) checkEq(bits[i], v.dequant[r * cols + i], `${type} get_rows row ${r} element ${i}`);
      }
    };
  }

  cases['converts every one of the 65536 f16 bit patterns to the f32 that IEEE 754 gives'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const src = kc.alloc(65536 * 2);
    const dst = kc.alloc(65536 * 4);
    const h = new Uint16Array(kc.core.memory.buffer, src, 65536);
    for (let i = 0; i < 65536; i++) h[i] = i;
    kc.core.kernels.dequant(GgmlType.F16, src, dst, 65536);
    const f = kc.f32(dst, 65536);
    const bits = new Uint32Array(kc.core.memory.buffer, dst, 65536);
    for (let i = 0; i < 65536; i++) {
      const want = f16Reference(i);
      if (Number.isNaN(want)) {
        checkEq(bits[i], (((i & 0x8000) << 16) | 0x7f800000 | ((i & 0x3ff) << 13)) >>> 0, `f16 0x${i.toString(16)} (NaN, payload kept)`);
      } else {
        checkEq(f[i], want, `f16 0x${i.toString(16)}`);
      }
    }
  };

  cases["quantizes activations as x86 ggml's quantize_row_q8_0 / q8_1: quants, f16 d, f16 s, on normal, tiny and zero blocks; and the split quants"] =
    async () => {
      const kc = await kernelCore(build);
      const rnd = prng(13);
      const n = 32 * 12;
      const xs = new Float32Array(n);
      // blocks of magnitude 1, 1e-3 (d an f16 subnormal), 1e-7 (d rounds to 0), 0, and ties x·(1/d) = k + 0.5
      const scales = [1, 1e-3, 1e-7, 0, 1, 40, 1e-5, 1, 1, 1e-3, 1, 1];
      for (let i = 0; i < n; i++) xs[i] = Math.fround((rnd() * 2 - 1) * scales[i >> 5]!);
      for (let i = 0; i < 32; i++) xs[32 * 8 + i] = Math.fround(i - 16 + 0.5); // amax 15.5: some x/d land on .5
      xs[32 * 8] = 127 / 8; // amax 15.875, d = 0.125 exactly: x·(1/d) = 8k + 4 ± ... exact halves
      const x = kc.alloc(n * 4),
        a = kc.alloc(kc.core.kernels.workBytes(GgmlType.Q8_0, n, 1));
      kc.f32(x, n).set(xs);
      checkEq(kc.core.exports.kQuantizeAct(x, a, n), 0, 'kQuantizeAct status');
      const nb = n / 32;
      const qs = new Int8Array(kc.core.memory.buffer, a, n);
      const ds = new Float32Array(kc.core.memory.buffer, a + n, nb);
      const sums = new Int32Array(kc.core.memory.buffer, a + n + 4 * nb, nb);
      const ss = new Float32Array(kc.core.memory.buffer, a + n + 8 * nb, nb);
      const split = (n + 12 * nb + 15) & ~15; // qs⁺ then qs⁻: the Relaxed SIMD Q8_0 dot's i7 operands
      const plus = new Int8Array(kc.core.memory.buffer, a + split, n),
        minus = new Int8Array(kc.core.memory.buffer, a + split + n, n);
      for (let i = 0; i < n; i++) {
        checkEq(plus[i], Math.max(qs[i]!, 0), `qs+ ${i}`);
        checkEq(minus[i], Math.max(-qs[i]!, 0), `qs- ${i}`);
      }
      const f16 = (v: number) => f16Reference(nearestF16(v));
      for (let b = 0; b < nb; b++) {
        let amax = 0;
        for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(xs[32 * b + i]!));
        const d = Math.fround(amax / 127),
          id = d ? Math.fround(1 / d) : 0;
        let sum = 0;
        for (let i = 0; i < 32; i++) {
          const v = Math.fround(xs[32 * b + i]! * id);
          const r = Math.round(v),
            q = Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r; // half to even (_MM_ROUND_NEAREST)
          const want = Math.max(-127, Math.min(127, q)) + 0; // + 0: no -0 in an Int8Array
          checkEq(qs[32 * b + i], want, `block ${b} quant ${i} (x ${xs[32 * b + i]}, x/d ${v})`);
          sum += want;
        }
        checkEq(ds[b], f16(d), `block ${b} d (f16 of ${d})`);
        checkEq(sums[b], sum, `block ${b} Σ q`);
        checkEq(ss[b], f16(Math.fround(d * sum)), `block ${b} s (f16 of d·Σq)`);
      }
    };

  cases['dots Q4_0 and Q8_0 blocks at the extremes of their integer sums (every quant at its limit) like the scalar dot'] = async () => {
    // the four-block dots add the partial sums of Q4_0 in i16 lanes: 4·(2·2·127·15) = 30480 must not wrap
    const kc = await kernelCore(build);
    const k = kc.core.kernels;
    const cols = 32 * 12; // three groups of four blocks
    for (const type of ['Q4_0', 'Q8_0'] as const) {
      const t = GgmlType[type];
      const bb = k.rowBytes(t, 32);
      for (const [qByte, xv] of [
        [type === 'Q4_0' ? 0xff : 0x7f, 1],
        [type === 'Q4_0' ? 0xff : 0x80, -1],
        [0x00, 1],
        [type === 'Q4_0' ? 0xff : 0x80, 1],
      ] as const) {
        const raw = new Uint8Array(12 * bb);
        for (let b = 0; b < 12; b++) {
          raw.fill(qByte, b * bb + 2, (b + 1) * bb);
          new DataView(raw.buffer).setUint16(b * bb, 0x3c00, true); // d = 1
        }
        const w = kc.alloc(raw.length);
        kc.bytes(w, raw.length).set(raw);
        const x = kc.alloc(cols * 4),
          a = kc.alloc(k.workBytes(t, cols, 1));
        kc.f32(x, cols).fill(xv); // every activation quant at ±127
        checkEq(kc.core.exports.kQuantizeAct(x, a, cols), 0, 'kQuantizeAct status');
        const simd = kc.core.exports.kVecDot(t, cols, w, a, 0),
          scalar = kc.core.exports.kVecDot(t, cols, w, a, 1);
        check(Math.abs(simd - scalar) <= 1e-6 * Math.abs(scalar), `${type} quant byte 0x${qByte.toString(16)}, x ${xv}: SIMD ${simd} vs scalar ${scalar}`);
      }
    }
  };

  cases['agrees between the SIMD dot and the scalar reference dot of each type'] = async () => {
    const kc = await kernelCore(build);
    const k = kc.core.kernels;
    const rnd = prng(11);
    for (const type of K1_TYPES) {
      for (const cols of [32, 96, 256, 1024]) {
        const t = GgmlType[type];
        const w = kc.alloc(k.rowBytes(t, cols));
        const raw = randomWeights(kc, type, 1, cols, rnd);
        kc.bytes(w, k.rowBytes(t, cols)).set(raw);
        const x = kc.alloc(cols * 4);
        const xs = randomActivations(cols, rnd);
        kc.f32(x, cols).set(xs);
        let a = x;
        if (!FLOAT_TYPES.includes(type)) {
          a = kc.alloc(k.workBytes(t, cols, 1));
          checkEq(kc.core.exports.kQuantizeAct(x, a, cols), 0, 'kQuantizeAct status');
        }
        const simd = kc.core.exports.kVecDot(t, cols, w, a, 0);
        const scalar = kc.core.exports.kVecDot(t, cols, w, a, 1);
        const deq = kc.alloc(cols * 4);
        k.dequant(t, w, deq, cols);
        const { bound } = reference(kc.f32(deq, cols), 0, xs, !FLOAT_TYPES.includes(type), blockMins(type, raw, 1, cols));
        check(Math.abs(simd - scalar) <= bound * 0.05 + 1e-6 * Math.abs(scalar), `${type} cols ${cols}: SIMD ${simd} vs scalar ${scalar}`);
      }
    }
  };

  cases["dots ggml's edge-scale blocks (zero, subnormal, negative, max f16) like the scalar reference"] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const rnd = prng(5);
    for (const type of K1_TYPES.filter((t) => !FLOAT_TYPES.includes(t))) {
      const v = quantVector(type);
      const cols = 32,
        rows = v.blocks;
      const w = kc.alloc(v.raw.length),
        x = kc.alloc(cols * 4),
        y = kc.alloc(rows * 4),
        ys = kc.alloc(rows * 4);
      const work = kc.alloc(k.workBytes(v.typeId, cols));
      kc.bytes(w, v.raw.length).set(v.raw);
      kc.f32(x, cols).set(randomActivations(cols, rnd));
      k.matvec(v.typeId, w, rows, cols, x, y, work);
      kc.core.testing.matvecScalar(v.typeId, w, rows, cols, x, ys, work);
      const deq = new Float32Array(v.dequant.buffer, v.dequant.byteOffset, v.dequant.length);
      for (let r = 0; r < rows; r++) {
        const got = kc.f32(y, rows)[r]!,
          want = kc.f32(ys, rows)[r]!;
        let mag = 0;
        for (let j = 0; j < cols; j++) mag += Math.abs(deq[r * cols + j]!) + Math.abs(deq[r * cols + j]! - deq[r * cols]!);
        check(Number.isFinite(got) && Math.abs(got - want) <= 1e-5 * mag + 1e-30, `${type} block ${r}: SIMD ${got}, scalar ${want}`);
      }
    }
  };

  Object.assign(cases, kernelMatmulCases(build));

  cases["sizes rows by ggml's block bytes and the work buffer by the batch"] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const want: [number, number, number][] = [
      [GgmlType.F32, 4096, 16384],
      [GgmlType.F16, 4096, 8192],
      [GgmlType.BF16, 7, 14],
      [GgmlType.Q4_0, 4096, 2304],
      [GgmlType.Q4_1, 4096, 2560],
      [GgmlType.Q5_0, 4096, 2816],
      [GgmlType.Q5_1, 4096, 3072],
      [GgmlType.Q8_0, 4096, 4352],
      [GgmlType.Q2_K, 4096, 1344],
      [GgmlType.Q3_K, 256, 110],
      [GgmlType.Q4_K, 256, 144],
      [GgmlType.Q5_K, 256, 176],
      [GgmlType.Q6_K, 4096, 3360],
    ];
    for (const [type, cols, bytes] of want) checkEq(k.rowBytes(type, cols), bytes, `rowBytes(${type}, ${cols})`);
    checkEq(k.workBytes(GgmlType.F16, 4096, 8), 0, 'float types need no work');
    checkEq(
      k.workBytes(GgmlType.Q4_0, 4096, 3),
      3 * (5632 + 2 * 4096),
      'Q4_0 work for 3 vectors of 4096 (i8 quants + f32 d + i32 Σ + f32 s per block, then the split quants)',
    );
  };

  cases['rejects a row length that does not divide the block with KERNEL_SHAPE'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const buf = kc.alloc(64 * 1024);
    for (const [type, cols] of [
      [GgmlType.Q4_0, 48],
      [GgmlType.Q8_0, 31],
      [GgmlType.Q5_1, 0],
      [GgmlType.F32, 0],
    ] as const) {
      const e = checkThrows(() => k.matvec(type, buf, 4, cols, buf, buf, buf), 'KERNEL_SHAPE', `matvec type ${type} cols ${cols}`);
      check(e.message.includes(`cols=${cols}`), `the message names the shape: ${e.message}`);
      checkThrows(() => k.rowBytes(type, cols), 'KERNEL_SHAPE', `rowBytes type ${type} cols ${cols}`);
    }
    checkThrows(() => k.matvec(GgmlType.Q8_0, buf, 0, 32, buf, buf, buf), 'KERNEL_SHAPE', 'zero rows');
    checkThrows(() => k.matmul(GgmlType.Q8_0, buf, 1, 32, buf, 0, buf, buf), 'KERNEL_SHAPE', 'zero batch');
    checkThrows(() => k.dequant(GgmlType.Q4_1, buf, buf, 33), 'KERNEL_SHAPE', 'dequant of a partial block');
    checkThrows(() => k.getRows(GgmlType.F16, buf, 8, -1, buf), 'KERNEL_SHAPE', 'negative row');
  };

  cases['rejects a buffer outside [arena base, end of KV pages) with KERNEL_RANGE'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const lo = kc.core.exports.kernelRegionLo();
    const hi = kc.core.exports.kernelRegionHi();
    checkEq(lo, kc.core.arena.base, 'the region starts at the arena base');
    const rb = k.rowBytes(GgmlType.Q4_0, 64);
    const w = kc.alloc(rb * 4),
      x = kc.alloc(256),
      y = kc.alloc(64),
      work = kc.alloc(k.workBytes(GgmlType.Q4_0, 64));
    k.matvec(GgmlType.Q4_0, w, 4, 64, x, y, work); // in range: fine
    checkThrows(() => k.matvec(GgmlType.Q4_0, 0, 4, 64, x, y, work), 'KERNEL_RANGE', 'weights at address 0');
    checkThrows(() => k.matvec(GgmlType.Q4_0, hi - rb * 3, 4, 64, x, y, work), 'KERNEL_RANGE', 'weights running past the end');
    checkThrows(() => k.matvec(GgmlType.Q4_0, w, 4, 64, hi, y, work), 'KERNEL_RANGE', 'activations past the end');
    checkThrows(() => k.matvec(GgmlType.Q4_0, w, 4, 64, x, 16, work), 'KERNEL_RANGE', 'output below the arena');
    checkThrows(() => k.matvec(GgmlType.Q4_0, w, 4, 64, x, y, 0), 'KERNEL_RANGE', 'no work buffer for a quantized type');
    checkThrows(() => k.matmul(GgmlType.Q4_0, w, 4, 64, x, 1 << 20, y, work), 'KERNEL_RANGE', 'a batch larger than its buffers');
    checkThrows(() => k.getRows(GgmlType.F32, w, 64, 1 << 22, y), 'KERNEL_RANGE', 'a row index past the end');
    checkThrows(() => k.dequant(GgmlType.F32, w, hi - 64, 32), 'KERNEL_RANGE', 'dequant output past the end');
    checkThrows(() => kc.core.testing.byteSum(hi - 8, 16), 'KERNEL_RANGE', 'byte sum past the end');
  };

  cases['rejects a misaligned f32 or work buffer with KERNEL_ALIGN'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const w = kc.alloc(4096),
      x = kc.alloc(4096),
      y = kc.alloc(4096),
      work = kc.alloc(4096);
    checkThrows(() => k.matvec(GgmlType.Q8_0, w, 4, 64, x + 4, y, work), 'KERNEL_ALIGN', 'x + 4');
    checkThrows(() => k.matvec(GgmlType.F16, w, 4, 64, x, y + 8, work), 'KERNEL_ALIGN', 'y + 8');
    checkThrows(() => k.matvec(GgmlType.Q4_0, w, 4, 64, x, y, work + 1), 'KERNEL_ALIGN', 'work + 1');
    checkThrows(() => k.getRows(GgmlType.Q8_0, w, 32, 0, y + 2), 'KERNEL_ALIGN', 'get_rows dst + 2');
    k.matvec(GgmlType.Q8_0, w + 3, 4, 64, x, y, work); // weights need no alignment (GGUF rows are packed blocks)
  };

  cases['rejects a type without a kernel with KERNEL_TYPE, naming it'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const k = kc.core.kernels;
    const b = kc.alloc(4096);
    for (const type of [20 /* IQ4_NL */, 16 /* IQ2_XXS */, 9 /* Q8_1 */, 99]) {
      checkEq(k.supports(type), false, `supports(${type})`);
      checkThrows(() => k.matvec(type, b, 1, 256, b, b, b), 'KERNEL_TYPE', `matvec of type ${type}`);
    }
    const e = checkThrows(() => k.matmul(20, b, 1, 32, b, 2, b, b), 'KERNEL_TYPE', 'IQ4_NL');
    check(e.message.includes('matmul') && e.message.includes('IQ4_NL'), `the message names the op and type: ${e.message}`);
    for (const type of K1_TYPES) checkEq(k.supports(GgmlType[type]), true, `supports(${type})`);
  };

  cases['lists the tensors of a model whose types have no kernel, by name and type'] = async () => {
    const tensors = [
      { name: 'token_embd.weight', type: GgmlType.Q8_0, typeName: 'Q8_0' },
      { name: 'blk.0.attn_q.weight', type: 16, typeName: 'IQ2_XXS' },
      { name: 'blk.0.ffn_up.weight', type: GgmlType.Q4_0, typeName: 'Q4_0' },
      { name: 'blk.0.ffn_down.weight', type: 39, typeName: 'MXFP4' },
    ];
    const list = unsupportedTensors(tensors);
    checkEq(list.map((t) => `${t.name}:${t.typeName}`).join(','), 'blk.0.attn_q.weight:IQ2_XXS,blk.0.ffn_down.weight:MXFP4', 'unsupported');
    checkEq(unsupportedTensors(tensors.filter((t) => SUPPORTED_TYPES.has(t.type))).length, 0, 'all supported');
    const e = unsupportedTensorsError(list, 'tiny.gguf');
    checkEq(e.code, 'UNSUPPORTED_TENSOR_TYPE', 'code');
    check(e.message.includes('blk.0.attn_q.weight') && e.message.includes('IQ2_XXS') && e.message.includes('tiny.gguf'), e.message);
  };

  cases['sums bytes through v128 loads exactly (the benchmark ceiling is a real sum)'] = async () => {
    const kc = await kernelCore(build, 1024 * 1024);
    const n = 5 * 2048 + 77;
    const p = kc.alloc(n + 64);
    const rnd = prng(3);
    for (const off of [0, 1, 15]) {
      const bytes = kc.bytes(p + off, n);
      for (let i = 0; i < n; i++) bytes[i] = Math.floor(rnd() * 256);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += bytes[i]!;
      checkEq(kc.core.testing.byteSum(p + off, n), sum % 2 ** 31, `byte sum at offset ${off}`);
    }
  };
  return cases;
}
