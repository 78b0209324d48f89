/**
 * Synthetic models with realistic weights, that llama.cpp loads and whose
 * activations stay sane: normal-ish f32 weights (Irwin–Hall sums of four
 * uniforms from a seeded generator, so every runtime makes the same numbers
 * with no transcendental function) of std 1/√fan_in, norms near 1, quantized
 * by the reference quantizers (src/authoring/quantize) to a per-tensor type mix,
 * with a real tokenizer copied from another GGUF's `tokenizer.*` metadata.
 *
 * A `RealModelRecipe` is plain JSON: the reference vectors store it, and a
 * test rebuilds the exact bytes from it (`realModelPlan` + `planBytes`).
 * Architectures: any family declared in src/engine/arch/ — its declaration gives
 * the block's tensors with their shapes and kinds, and the metadata it adds.
 */
import { GgufPagerError } from '../errors.ts';
import { ggmlTypeByName } from '../gguf/ggml-types.ts';
import type { ModelPlan, PlannedTensor } from './model-plan.ts';
import { quantizeRow, type QuantType } from './quantize/index.ts';
import { FILE_TYPE } from './quant-types.ts';
import { mix32 } from './synthetic-weights.ts';
import { GgufValueType as T } from '../gguf/types.ts';
import type { MetadataEntry } from './write.ts';
import { architectureByName } from '../engine/architecture.ts';
import type { Architecture, TensorKind } from '../engine/arch/types.ts';
import type { HParams } from '../engine/hparams.ts';

/** A single weight type, or `Q4_K_M`: Q4_K with attn_v, ffn_down and output in Q6_K. */
export type WeightMix = QuantType | 'Q4_K_M';

export interface RealModelRecipe {
  /** A family of src/engine/arch/ (its declaration gives the tensors and their shapes). */
  arch: string;
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
  /** attention.key_length / value_length when the head size is not embd / heads. */
  headDim?: number;
  /** rope.dimension_count when it is less than the head size (partial rotary). */
  rot?: number;
  /** Further `<arch>.<key>` entries (sliding window, soft-caps, rope.scaling.attn_factor, rope.scaling.type, …). */
  meta?: Record<string, number | string | boolean>;
  /** The std of token_embd's values (default 1; a tied head wants about 2/√embd, as an output head). */
  embdStd?: number;
  /** Pad the tokenizer's vocabulary with control tokens `<unused_i>` up to this size (a 262 k or 152 k vocabulary from a small one). */
  vocabSize?: number;
  /** Write the declaration's optional global tensors (LongRoPE factors, bert's token_types). */
  optionalGlobals?: boolean;
  /** Write the declaration's optional block tensors too (bert's projection biases). */
  optionalBlockTensors?: boolean;
  name?: string;
}

/** llama_ftype of each mix (llama.h). */
const MIX_FILE_TYPE: Record<WeightMix, number> = { ...FILE_TYPE, Q4_K_M: 15 };

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

function check(r: RealModelRecipe, vocab: number): Architecture {
  const decl = architectureByName(r.arch);
  if (!decl) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: no architecture ${r.arch}`, { arch: r.arch });
  for (const k of ['blocks', 'embd', 'ff', 'heads', 'headsKv'] as const) {
    if (!Number.isSafeInteger(r[k]) || r[k] < 1)
      throw new GgufPagerError('INVALID_ARGUMENT', `realModel: ${k} must be a positive integer, not ${r[k]}`, { [k]: r[k] });
  }
  if (!(r.weights in MIX_FILE_TYPE)) throw new GgufPagerError('INVALID_ARGUMENT', `realModel: unknown weight mix ${r.weights}`, { weights: r.weights });
  if ((r.headDim === undefined && r.embd % r.heads !== 0) || r.heads % r.headsKv !== 0)
    throw new GgufPagerError('INVALID_ARGUMENT', `realModel: heads ${r.heads}/${r.headsKv} do not divide embd ${r.embd}`, {});
  if (vocab < 1) throw new GgufPagerError('INVALID_ARGUMENT', 'realModel: empty vocabulary', {});
  return decl;
}

/** The hyper-parameters a recipe describes, as the declarations' shapes read them. */
function recipeHParams(r: RealModelRecipe, vocab: number): HParams {
  const headDim = r.headDim ?? r.embd / r.heads;
  return {
    arch: r.arch,
    nLayer: r.blocks,
    nEmbd: r.embd,
    nFf: r.ff,
    nHead: r.heads,
    nHeadKv: r.headsKv,
    headDim,
    kvDim: headDim * r.headsKv,
    nRot: r.rot ?? headDim,
    ropeBase: 10000,
    ropeScale: 1,
    ropeAttnFactor: 1,
    ropeOrigContext: r.context ?? 2048,
    ropeBaseSwa: 10000,
    ropeScaleSwa: 1,
    eps: 1e-5,
    trainedContext: r.context ?? 2048,
    vocab,
    window: 0,
    swaPeriod: 0,
    swaLayers: [],
    attnSoftcap: 0,
    finalSoftcap: 0,
    attnScale: 1,
  };
}

/** The tokenizer entries with their token arrays (tokens, scores, token_type) padded by control tokens to `size`. */
function padVocab(t: { entries: MetadataEntry[]; vocab: number }, size?: number): { entries: MetadataEntry[]; vocab: number } {
  if (size === undefined || size <= t.vocab) return t;
  const extra = size - t.vocab;
  const pad = (k: string, v: unknown): unknown => {
    if (!Array.isArray(v) || v.length !== t.vocab) return v;
    if (k === 'tokenizer.ggml.tokens') return [...v, ...Array.from({ length: extra }, (_, i) => `<unused_${i}>`)];
    if (k === 'tokenizer.ggml.scores') return [...v, ...new Array<number>(extra).fill(0)];
    if (k === 'tokenizer.ggml.token_type') return [...v, ...new Array<number>(extra).fill(3)]; // CONTROL
    return v;
  };
  return { entries: t.entries.map(([k, v, ty]) => [k, pad(k, v), ty] as MetadataEntry), vocab: size };
}

/** INVALID_ARGUMENT when rows of `row` elements do not fill whole blocks of the tensor's type under the mix. */
function checkRows(mix: WeightMix, name: string, row: number): void {
  const t = mixType(mix, name);
  const block = ggmlTypeByName(t)!.blockSize;
  if (row % block !== 0)
    throw new GgufPagerError('INVALID_ARGUMENT', `realModel: ${name} rows of ${row} are not a multiple of the ${t} block (${block})`, { row, block });
}

/** GGUF types of the metadata a recipe or declaration adds: strings, counts as u32, the rest f32. */
const INTEGER_KEYS = new Set([
  'pooling_type',
  'attention.sliding_window',
  'attention.sliding_window_pattern',
  'rope.scaling.original_context_length',
  'attention.key_length',
  'attention.value_length',
]);

/** The plan of the model a recipe describes; `tokenizer` are the entries of `recipe.tokenizer`'s metadata. */
export function realModelPlan(recipe: RealModelRecipe, tokenizer: readonly MetadataEntry[]): ModelPlan {
  const { entries: tok, vocab } = padVocab(tokenizerEntries(tokenizer), recipe.vocabSize);
  const decl = check(recipe, vocab);
  const hp = recipeHParams(recipe, vocab);
  const { arch, embd } = recipe;
  const tensors: PlannedTensor[] = [];
  const add = (name: string, dims: number[], kind: TensorKind | 'embd', std = 0): void => {
    const index = tensors.length;
    const type: QuantType = kind === 'weight' || kind === 'embd' ? mixType(recipe.weights, name) : 'F32';
    const seed = mix32(mix32(recipe.seed ^ 0x5bd1e995) + Math.imul(index + 1, 0x9e3779b1));
    const n = dims.reduce((a, b) => a * b, 1);
    const bytes = (): Uint8Array => {
      const values =
        kind === 'norm' ? normalish(seed, n, 0.05, 1) : kind === 'factors' ? normalish(seed, n, 0.1, 1.3) : normalish(seed, n, kind === 'bias' ? 0.1 : std);
      return quantizeRow(type, values);
    };
    tensors.push({ name, type, dims, bytes });
  };
  for (const d of decl.blockTensors) if (d.kind === 'weight') checkRows(recipe.weights, `blk.0.${d.name}`, d.dims(hp)[0]);
  checkRows(recipe.weights, 'output.weight', embd);
  add('token_embd.weight', [embd, vocab], 'embd', recipe.embdStd ?? 1);
  for (const d of decl.globalTensors ?? []) {
    const dims = d.dims(hp);
    if (!d.optional || recipe.optionalGlobals) add(d.name, dims, d.kind, 1 / Math.sqrt(dims[0]));
  }
  for (let i = 0; i < recipe.blocks; i++) {
    for (const d of decl.blockTensors) {
      if (d.optional && !recipe.optionalBlockTensors) continue;
      const dims = d.dims(hp);
      add(`blk.${i}.${d.name}`, dims, d.kind, 1 / Math.sqrt(dims[0]));
    }
  }
  if (!decl.features.encoder) add('output_norm.weight', [embd], 'norm'); // an encoder has no head
  if (!decl.features.encoder && !recipe.tiedEmbeddings) add('output.weight', [embd, vocab], 'weight', 2 / Math.sqrt(embd));
  const a = arch;
  const quantized = recipe.weights !== 'F32' && recipe.weights !== 'F16' && recipe.weights !== 'BF16';
  const extra: Record<string, number | string | boolean> = { 'attention.layer_norm_rms_epsilon': 1e-5, ...decl.synthetic?.metadata, ...recipe.meta };
  if (recipe.headDim !== undefined) Object.assign(extra, { 'attention.key_length': hp.headDim, 'attention.value_length': hp.headDim });
  const metadata: MetadataEntry[] = [
    ['general.architecture', arch, T.STRING],
    ['general.name', recipe.name ?? `synthetic-${arch}-${recipe.blocks}x${embd}-${recipe.weights}-seed${recipe.seed}`, T.STRING],
    ['general.file_type', MIX_FILE_TYPE[recipe.weights], T.UINT32],
    ...(quantized ? [['general.quantization_version', 2, T.UINT32] as MetadataEntry] : []),
    [`${a}.context_length`, recipe.context ?? 2048, T.UINT32],
    [`${a}.embedding_length`, embd, T.UINT32],
    [`${a}.block_count`, recipe.blocks, T.UINT32],
    [`${a}.feed_forward_length`, recipe.ff, T.UINT32],
    [`${a}.rope.dimension_count`, hp.nRot, T.UINT32],
    [`${a}.attention.head_count`, recipe.heads, T.UINT32],
    [`${a}.attention.head_count_kv`, recipe.headsKv, T.UINT32],
    ...Object.entries(extra).map(
      ([k, v]) =>
        [`${a}.${k}`, v, typeof v === 'string' ? T.STRING : typeof v === 'boolean' ? T.BOOL : INTEGER_KEYS.has(k) ? T.UINT32 : T.FLOAT32] as MetadataEntry,
    ),
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
