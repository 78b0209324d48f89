/**
 * Every op turns a bad request into a typed error naming the op and its
 * shape, and leaves memory outside its buffers alone: sizes 0 or negative,
 * odd RoPE dims, nRot > headDim, an unknown RoPE mode, heads that do not
 * group, nPos past the sequence, unknown sequences, buffers outside the
 * arena + KV region, straddling its end, misaligned, or overlapping.
 */
import type { Cases } from './arena-harness.ts';
import { check, checkThrows } from './arena-harness.ts';
import { buf, opsCore } from './ops-setup.ts';

export const opsErrorCases: Cases = {
  async 'element-wise ops reject empty sizes with KERNEL_SHAPE and foreign or misaligned buffers with KERNEL_RANGE / KERNEL_ALIGN'() {
    const core = await opsCore();
    const a = buf(core, 64).ptr;
    const b = buf(core, 64).ptr;
    const end = core.memoryBytes();
    const ops = core.ops;
    const calls: Array<[string, (x: number, n: number) => void]> = [
      ['add', (x, n) => ops.add(x, b, b, n)],
      ['mul', (x, n) => ops.mul(a, x, b, n)],
      ['silu', (x, n) => ops.silu(a, x, n)],
      ['swiglu', (x, n) => ops.swiglu(a, b, x, n)],
      ['scale', (x, n) => ops.scale(x, 2, n)],
      ['softmax', (x, n) => ops.softmax(x, n, 1)],
      ['addBias', (x, n) => ops.addBias(a, x, n, 1)],
      ['rmsNorm', (x, n) => ops.rmsNorm(x, 0, b, n, 1, 1e-5)],
    ];
    for (const [name, call] of calls) {
      checkThrows(() => call(a, 0), 'KERNEL_SHAPE', `${name} of 0 elements`);
      checkThrows(() => call(a, -4), 'KERNEL_SHAPE', `${name} of -4 elements`);
      checkThrows(() => call(a, 1.5), 'KERNEL_SHAPE', `${name} of 1.5 elements`);
      checkThrows(() => call(0, 4), 'KERNEL_RANGE', `${name} at address 0`);
      checkThrows(() => call(64, 4), 'KERNEL_RANGE', `${name} in the core's static data, below the arena`);
      checkThrows(() => call(end - 8, 4), 'KERNEL_RANGE', `${name} past the end of memory`);
      checkThrows(() => call(a, 1 << 28), 'KERNEL_RANGE', `${name} of 2^28 elements`);
      checkThrows(() => call(a + 2, 4), 'KERNEL_ALIGN', `${name} at a misaligned address`);
      checkThrows(() => call(-64, 4), 'KERNEL_RANGE', `${name} at a negative address`);
    }
    const e = checkThrows(() => ops.add(a, b, b, 0), 'KERNEL_SHAPE', 'add');
    check(e.message.includes('ops.add') && e.message.includes('n 0'), `the message names the op and its shape: ${e.message}`);
    checkThrows(() => ops.softmax(a, 4, 0), 'KERNEL_SHAPE', 'softmax of 0 rows');
    checkThrows(() => ops.rmsNorm(a, 0, b, 4, 1, -1), 'KERNEL_SHAPE', 'rmsNorm with a negative eps');
  },

  async 'a buffer that straddles the end of the KV pages is rejected, one that ends there is not'() {
    const core = await opsCore({ pages: 2, pageElems: 64, dtype: 'f32' });
    const kv = core.kv!;
    kv.alloc();
    const last = kv.alloc();
    const pageEnd = (kv.page(last) as Float32Array).byteOffset + 64 * 4;
    core.ops.scale(pageEnd - 64, 1, 16);
    checkThrows(() => core.ops.scale(pageEnd - 64, 1, 17), 'KERNEL_RANGE', 'scale of 17 f32 from 16 before the end of the pages');
    checkThrows(() => core.ops.scale(pageEnd, 1, 1), 'KERNEL_RANGE', 'scale just past the pages');
  },

  async 'rope rejects odd or oversized dims with KERNEL_SHAPE and an unknown mode with KERNEL_TYPE'() {
    const core = await opsCore();
    const x = buf(core, 256).ptr;
    const pos = buf(core, 4).ptr;
    const rope = (headDim: number, nRot: number, mode = 0, base = 10000, scale = 1, nTok = 1, f = 0): void =>
      core.ops.rope(x, nTok, 2, headDim, nRot, pos, base, scale, mode as 0, f);
    rope(64, 64);
    checkThrows(() => rope(63, 62), 'KERNEL_SHAPE', 'odd headDim');
    checkThrows(() => rope(64, 63), 'KERNEL_SHAPE', 'odd nRot');
    checkThrows(() => rope(64, 66), 'KERNEL_SHAPE', 'nRot > headDim');
    checkThrows(() => rope(64, 0), 'KERNEL_SHAPE', 'nRot 0');
    checkThrows(() => rope(0, 0), 'KERNEL_SHAPE', 'headDim 0');
    checkThrows(() => rope(64, 64, 0, 10000, 1, 0), 'KERNEL_SHAPE', 'nTok 0');
    checkThrows(() => rope(64, 64, 0, 0), 'KERNEL_SHAPE', 'freqBase 0');
    checkThrows(() => rope(64, 64, 0, 10000, NaN), 'KERNEL_SHAPE', 'freqScale NaN');
    checkThrows(() => rope(64, 64, 1), 'KERNEL_TYPE', 'mode 1');
    const big = 2 ** 31 - 1;
    checkThrows(() => core.ops.rope(x, big, big, 2 ** 30, 64, pos, 10000, 1, 0, 0), 'KERNEL_RANGE', 'sizes whose product overflows 64 bits');
    checkThrows(() => core.ops.softmax(x, big, big), 'KERNEL_RANGE', 'softmax of (2^31 − 1)² elements');
    checkThrows(() => rope(64, 64, 8), 'KERNEL_TYPE', 'mode 8 (mrope)');
    checkThrows(() => rope(64, 64, 0, 10000, 1, 1, 3), 'KERNEL_ALIGN', 'misaligned factors');
    checkThrows(() => core.ops.rope(0, 1, 2, 64, 64, pos, 10000, 1, 0, 0), 'KERNEL_RANGE', 'x at 0');
    checkThrows(() => core.ops.rope(x, 1, 2, 64, 64, 0, 10000, 1, 0, 0), 'KERNEL_RANGE', 'positions at 0');
    checkThrows(() => core.ops.rope(x, 1, 2, 64, 64, pos, 10000, 1, 0, core.memoryBytes() - 64), 'KERNEL_RANGE', 'factors past the end of memory');
  },

  async 'attention rejects bad shapes, unknown sequences, nPos past the sequence and overlapping buffers'() {
    const core = await opsCore({ pages: 4, pageElems: 2 * 64 * 4, dtype: 'f16', maxSequences: 2 });
    const kv = core.kv!;
    const seq = kv.seqCreate();
    for (let t = 0; t < 5; t++) kv.seqAppend(seq, new Float32Array(64).fill(t), new Float32Array(64).fill(-t));
    const q = buf(core, 256).ptr;
    const out = buf(core, 256).ptr;
    const s = buf(core, 64).ptr;
    const att = (o: { seq?: number; q?: number; out?: number; nHead?: number; nKvHead?: number; headDim?: number; nPos?: number; scratch?: number }): void =>
      core.ops.attention(o.seq ?? seq, o.q ?? q, o.out ?? out, o.nHead ?? 4, o.nKvHead ?? 2, o.headDim ?? 32, o.nPos ?? 5, 0.125, o.scratch ?? s);
    att({});
    checkThrows(() => att({ nHead: 3 }), 'KERNEL_SHAPE', 'nHead 3 on 2 kv heads');
    checkThrows(() => att({ nKvHead: 0 }), 'KERNEL_SHAPE', 'nKvHead 0');
    checkThrows(() => att({ headDim: 16 }), 'KERNEL_SHAPE', 'headDim that does not match the sequence K/V width');
    checkThrows(() => att({ nPos: 0 }), 'KERNEL_SHAPE', 'nPos 0');
    const e = checkThrows(() => att({ nPos: 6 }), 'KERNEL_SHAPE', 'nPos 6 on a 5-token sequence');
    check(e.message.includes('seqLength 5'), `the message gives the sequence length: ${e.message}`);
    checkThrows(() => att({ seq: seq + 1 }), 'KV_BAD_SEQUENCE', 'an unknown sequence');
    checkThrows(() => att({ out: q }), 'KERNEL_RANGE', 'out = q');
    checkThrows(() => att({ scratch: out + 64 }), 'KERNEL_RANGE', 'scratch inside out');
    checkThrows(() => att({ q: 0 }), 'KERNEL_RANGE', 'q at 0');
    checkThrows(
      () => core.ops.attention(seq, q, out, 2 ** 31 - 1, 1, 2 ** 31 - 1, 5, 0.125, s),
      'KERNEL_SHAPE',
      'a head width that does not match the sequence',
    );
    checkThrows(() => att({ scratch: s + 1 }), 'KERNEL_ALIGN', 'misaligned scratch');
    checkThrows(() => core.ops.attentionScratchBytes(0), 'KERNEL_SHAPE', 'scratch for 0 positions');
    const other = kv.seqCreate();
    checkThrows(() => att({ seq: other, nPos: 1 }), 'KERNEL_SHAPE', 'an empty sequence (no K/V width yet)');
    kv.seqFree(seq);
    checkThrows(() => att({}), 'KV_BAD_SEQUENCE', 'a freed sequence');
  },
};
