import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { syntheticLlama, type SyntheticType } from '../../src/authoring/synthetic.ts';
import { CountingSource } from '../cases/gguf-bytes-source.ts';
import { prng } from '../cases/gguf-fuzz.ts';

const small = (type: SyntheticType, seed = 7) => syntheticLlama({ blocks: 2, embd: 256, ff: 512, vocab: 300, type, seed });

function concat(chunks: Iterable<Uint8Array>): Uint8Array {
  const parts = [...chunks];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function f16ToNumber(h: number): number {
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}

describe('a synthetic llama model', () => {
  it('parses as a llama model with the metadata llama.cpp reads and the expected tensors', async () => {
    const m = syntheticLlama({ blocks: 3, embd: 128, ff: 384, vocab: 512, type: 'Q8_0', seed: 1, heads: 4, headsKv: 2 });
    const model = await parseGguf(m);
    expect(Object.fromEntries([...model.metadata].filter(([k]) => k.startsWith('llama.') || k === 'general.architecture'))).toEqual({
      'general.architecture': 'llama',
      'llama.context_length': 2048,
      'llama.embedding_length': 128,
      'llama.block_count': 3,
      'llama.feed_forward_length': 384,
      'llama.rope.dimension_count': 32,
      'llama.attention.head_count': 4,
      'llama.attention.head_count_kv': 2,
      'llama.attention.layer_norm_rms_epsilon': Math.fround(1e-5),
    });
    expect((model.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(512);
    expect(model.tensors.length).toBe(2 + 9 * 3 + 1);
    expect(model.tensors.find((t) => t.name === 'blk.2.attn_k.weight')).toMatchObject({ typeName: 'Q8_0', dims: [128, 64] });
    expect(model.tensors.find((t) => t.name === 'blk.0.ffn_down.weight')).toMatchObject({ dims: [384, 128] });
    expect(model.tensors.find((t) => t.name === 'output_norm.weight')).toMatchObject({ typeName: 'F32' });
    expect(model.fileSize).toBe(m.size);
  });

  it('streams the same bytes in chunks as it reads at random offsets', () => {
    const m = small('Q4_K');
    const whole = concat(m.chunks(4096));
    expect(whole.length).toBe(m.size);
    const rand = prng(3);
    for (let i = 0; i < 300; i++) {
      const off = Math.floor(rand() * m.size);
      const len = Math.min(m.size - off, 1 + Math.floor(rand() * 700));
      const part = new Uint8Array(len);
      m.fill(off, part);
      expect(part).toEqual(whole.subarray(off, off + len));
    }
  });

  it('is the same for the same seed and different for another seed', () => {
    const a = small('F16', 7).tensorBytes('blk.1.attn_q.weight');
    expect(Buffer.compare(small('F16', 7).tensorBytes('blk.1.attn_q.weight'), a)).toBe(0);
    expect(Buffer.compare(small('F16', 8).tensorBytes('blk.1.attn_q.weight'), a)).not.toBe(0);
  });

  it('holds only finite weights: F32 small, norms near 1, F16 halves and Q8_0 scales finite and small', () => {
    const f32 = new Float32Array(small('F32').tensorBytes('blk.0.attn_q.weight').buffer);
    const norm = new Float32Array(small('F32').tensorBytes('blk.0.attn_norm.weight').buffer);
    expect(Math.max(...f32.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...norm.map((x) => Math.abs(x - 1)))).toBeLessThanOrEqual(0.05);
    const halves = [...new Uint16Array(small('F16').tensorBytes('blk.0.ffn_up.weight').buffer)].map(f16ToNumber);
    expect(halves.every((h) => Math.abs(h) < 2)).toBe(true);
    const q8 = new DataView(small('Q8_0').tensorBytes('output.weight').buffer);
    const scales: number[] = [];
    for (let b = 0; b < q8.byteLength; b += 34) scales.push(f16ToNumber(q8.getUint16(b, true)));
    expect(Math.min(...scales)).toBeGreaterThan(0.007);
    expect(Math.max(...scales)).toBeLessThan(0.016);
  });

  it('refuses shapes its type cannot hold and a tokenizer without room for the byte tokens', () => {
    expect(() => syntheticLlama({ blocks: 1, embd: 96, ff: 256, vocab: 300, type: 'Q4_K' })).toThrow(/multiples of the Q4_K block size 256/);
    expect(() => syntheticLlama({ blocks: 1, embd: 64, ff: 64, vocab: 100, type: 'F32' })).toThrow(/vocab >= 260/);
    expect(() => syntheticLlama({ blocks: 1, embd: 64, ff: 64, vocab: 100, type: 'F32', tokenizer: false })).not.toThrow();
  });

  it('streams a 256 MiB model chunk by chunk without holding it', () => {
    const m = syntheticLlama({ blocks: 15, embd: 1024, ff: 2816, vocab: 32000, type: 'Q8_0', seed: 9 });
    expect(m.size).toBeGreaterThan(256 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    let total = 0;
    let peak = 0;
    for (const chunk of m.chunks(1 << 20)) {
      total += chunk.length;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    expect(total).toBe(m.size);
    expect(peak).toBeLessThan(64 * 2 ** 20);
  });

  it('serves the pager as a source: a parse reads only its header', async () => {
    const source = new CountingSource(small('Q8_0'));
    const model = await parseGguf(source);
    expect(source.highestByteRead).toBeLessThanOrEqual(model.tensorDataOffset);
  });
});
