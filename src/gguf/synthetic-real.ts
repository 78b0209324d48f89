/**
 * Synthetic models with realistic weights, that llama.cpp loads and whose
 * activations stay sane: normal-ish f32 weights (Irwin–Hall sums of four
 * uniforms from a seeded generator, so every runtime makes the same numbers
 * with no transcendental function) of std 1/√fan_in, norms near 1, quantized
 * by the reference quantizers (src/gguf/quantize) to a per-tensor type mix,
 * with a real tokenizer copied from another GGUF's `tokenizer.*` metadata.
 *
 * A `RealModelRecipe` is plain JSON: the reference vectors store it, and a
 * test rebuilds the exact bytes from it (`realModelPlan` + `planBytes`).
 * Architectures: `llama` (attn_q/k/v/output, ffn_gate/up/down, RMS norms) and
 * `qwen2` (the same plus attn_q/k/v biases, NeoX RoPE, freq base 1e6).
 */
import { GgufPagerError } from '../core/errors.ts';
import { ggmlTypeByName } from './ggml-types.ts';
import type { ModelPlan, PlannedTensor } from './model-plan.ts';
import { quantizeRow, type QuantType } from './quantize/index.ts';
import { mix32 } from './synthetic-weights.ts';
import { GgufValueType as T } from './types.ts';
import type { MetadataEntry } from './write.ts';

/** A single weight type, or `Q4_K_M`: Q4_K with attn_v, ffn_down and output in Q6_K. */
export type WeightMix = QuantType | 'Q4_K_M';

export interface RealModelRecipe {
  arch: 'llama' | 'qwen2';
  blocks: number;
  embd: number;
  ff: number;
  heads: number;
  headsKv: number;
  weights: WeightMix;
  seed: number;
  /** Where the tokenizer comes from (a fixture name the caller resolves, e.g. `models/stories260K.gguf`). */
  tokenizer: string;
  context?: number;
  /** No output.weight: the head reuses token_embd (llama.cpp's tied embeddings). */
  tiedEmbeddings?: boolean;
  name?: string;
}

/** llama_ftype of each mix (llama.h). */
const FILE_TYPE: Record<WeightMix, number> = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q8_0: 7, Q5_0: 8, Q5_1: 9, Q2_K: 10, Q3_K: 11, Q4_K: 14, Q5_K: 16, Q6_K: 18, BF16: 32, Q4_K_M: 15,
};

/** The type of one weight matrix under a mix. */
export function mixType(mix: WeightMix, tensor: string): QuantType {
  if (mix !== 'Q4_K_M') return mix;
  return /attn_v\.weight$|ffn_down\.weight$|^output\.weight$/.test(tensor) ? 'Q6_K' : 'Q4_K';
}

/** `tokenizer.*` entries of a parsed GGUF's metadata, and its vocabulary size. */
export function tokenizerEntries(entries: readonly MetadataEntry[]): { entries: MetadataEntry[]; vocab: number } {
  const tok = entries.filter(([k]) => k.startsWith('tokenizer.'));
  const tokens = tok.find(([k]) => k === 'tokenizer.ggml.tokens')?.[1];
  if (!Array.isArray(tokens) || tokens.length === 0) throw new GgufPagerError('INVALID_ARGUMENT', 'tokenizer source has no tokenizer.ggml.tokens', {});
  return { entries: tok, vocab: tokens.length };
}

/** Deterministic normal-ish values (mean 0, std 1): (u1 + u2 + u3 + u4 − 2)·√3 from a mulberry32 stream. */
export function normalish(seed: number, n: number, std: number, mean = 0): Float32Array {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const k = std * Math.sqrt(3);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + (next() + next() + next() + next() - 2) * k;
  return out;
}

function check(r: RealModelRecipe, vocab: number): void {
  for (const k of ['blocks', 'embd', 'ff', 'heads', 'headsKv'] as const) {
    if (!Number.isSafeInteger(r[k]) || r[k] < 1) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: ${k} must be a positive integer, not ${r[k]}`, { [k]: r[k] });
  }
  if (!(r.weights in FILE_TYPE)) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: unknown weight mix ${r.weights}`, { weights: r.weights });
  if (r.embd % r.heads !== 0 || r.heads % r.headsKv !== 0) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: heads ${r.heads}/${r.headsKv} do not divide embd ${r.embd}`, {});
  for (const name of ['blk.0.attn_q.weight', 'blk.0.attn_v.weight', 'blk.0.ffn_down.weight', 'output.weight']) {
    const t = mixType(r.weights, name);
    const block = ggmlTypeByName(t)!.blockSize;
    const row = name.includes('ffn_down') ? r.ff : r.embd;
    if (row % block !== 0) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: ${name} rows of ${row} are not a multiple of the ${t} block (${block})`, { row, block });
  }
  if (vocab < 1) throw new GgufPagerError('INVALID_ARGUMENT', 'realModel: empty vocabulary', {});
}

/** The plan of the model a recipe describes; `tokenizer` are the entries of `recipe.tokenizer`'s metadata. */
export function realModelPlan(recipe: RealModelRecipe, tokenizer: readonly MetadataEntry[]): ModelPlan {
  const { entries: tok, vocab } = tokenizerEntries(tokenizer);
  check(recipe, vocab);
  const { arch, embd, ff, heads, headsKv } = recipe;
  const headDim = embd / heads;
  const kvDim = headDim * headsKv;
  const tensors: PlannedTensor[] = [];
  const add = (name: string, dims: number[], kind: 'weight' | 'norm' | 'bias' | 'embd', std = 0): void => {
    const index = tensors.length;
    const type: QuantType = kind === 'weight' || kind === 'embd' ? mixType(recipe.weights, name) : 'F32';
    const seed = mix32(mix32(recipe.seed ^ 0x5bd1e995) + Math.imul(index + 1, 0x9e3779b1));
    const n = dims.reduce((a, b) => a * b, 1);
    const bytes = (): Uint8Array => {
      const values = kind === 'norm' ? normalish(seed, n, 0.05, 1) : normalish(seed, n, kind === 'bias' ? 0.1 : std);
      return quantizeRow(type, values);
    };
    tensors.push({ name, type, dims, bytes });
  };
  add('token_embd.weight', [embd, vocab], 'embd', 1);
  for (let i = 0; i < recipe.blocks; i++) {
    const b = `blk.${i}.`;
    add(`${b}attn_norm.weight`, [embd], 'norm');
    add(`${b}attn_q.weight`, [embd, embd], 'weight', 1 / Math.sqrt(embd));
    add(`${b}attn_k.weight`, [embd, kvDim], 'weight', 1 / Math.sqrt(embd));
    add(`${b}attn_v.weight`, [embd, kvDim], 'weight', 1 / Math.sqrt(embd));
    if (arch === 'qwen2') {
      add(`${b}attn_q.bias`, [embd], 'bias');
      add(`${b}attn_k.bias`, [kvDim], 'bias');
      add(`${b}attn_v.bias`, [kvDim], 'bias');
    }
    add(`${b}attn_output.weight`, [embd, embd], 'weight', 1 / Math.sqrt(embd));
    add(`${b}ffn_norm.weight`, [embd], 'norm');
    add(`${b}ffn_gate.weight`, [embd, ff], 'weight', 1 / Math.sqrt(embd));
    add(`${b}ffn_up.weight`, [embd, ff], 'weight', 1 / Math.sqrt(embd));
    add(`${b}ffn_down.weight`, [ff, embd], 'weight', 1 / Math.sqrt(ff));
  }
  add('output_norm.weight', [embd], 'norm');
  if (!recipe.tiedEmbeddings) add('output.weight', [embd, vocab], 'weight', 2 / Math.sqrt(embd));
  const a = arch;
  const quantized = recipe.weights !== 'F32' && recipe.weights !== 'F16' && recipe.weights !== 'BF16';
  const metadata: MetadataEntry[] = [
    ['general.architecture', arch, T.STRING],
    ['general.name', recipe.name ?? `synthetic-${arch}-${recipe.blocks}x${embd}-${recipe.weights}-seed${recipe.seed}`, T.STRING],
    ['general.file_type', FILE_TYPE[recipe.weights], T.UINT32],
    ...(quantized ? [['general.quantization_version', 2, T.UINT32] as MetadataEntry] : []),
    [`${a}.context_length`, recipe.context ?? 2048, T.UINT32],
    [`${a}.embedding_length`, embd, T.UINT32],
    [`${a}.block_count`, recipe.blocks, T.UINT32],
    [`${a}.feed_forward_length`, ff, T.UINT32],
    [`${a}.rope.dimension_count`, headDim, T.UINT32],
    [`${a}.attention.head_count`, heads, T.UINT32],
    [`${a}.attention.head_count_kv`, headsKv, T.UINT32],
    [`${a}.attention.layer_norm_rms_epsilon`, arch === 'qwen2' ? 1e-6 : 1e-5, T.FLOAT32],
    ...(arch === 'qwen2' ? [[`${a}.rope.freq_base`, 1e6, T.FLOAT32] as MetadataEntry] : []),
    ...tok,
  ];
  return { metadata, tensors };
}

/** The plan of a GGUF re-encoded to `type`: 2-D tensors whose rows fit the type's block are converted, the rest kept. */
export function reencodePlan(
  metadata: readonly MetadataEntry[],
  tensors: readonly { name: string; typeName: string; dims: readonly number[] }[],
  read: (name: string) => Float32Array,
  type: QuantType,
): ModelPlan {
  const block = ggmlTypeByName(type)!.blockSize;
  const planned: PlannedTensor[] = tensors.map((t) => {
    const convert = t.dims.length >= 2 && t.dims[0] % block === 0;
    const to: QuantType = convert ? type : (t.typeName as QuantType);
    return { name: t.name, type: to, dims: t.dims, bytes: () => quantizeRow(to, read(t.name)) };
  });
  const meta = metadata.filter(([k]) => k !== 'general.file_type' && k !== 'general.quantization_version');
  const ftype = FILE_TYPE[type];
  meta.splice(1, 0, ['general.file_type', ftype, T.UINT32]);
  if (block > 1) meta.splice(2, 0, ['general.quantization_version', 2, T.UINT32]);
  return { metadata: meta, tensors: planned };
}
