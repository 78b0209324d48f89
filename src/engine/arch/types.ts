/**
 * What an architecture declares (one file per family in this folder): the
 * hyper-parameter keys it reads beyond the common ones, its per-block tensors
 * with their shapes and optionality, its features, and its block written in
 * the small ops of ../steps.ts. The forward pass, the tensor checks at load,
 * the scratch layout and the synthetic writer (src/authoring/synthetic-real.ts)
 * all read these declarations; nothing else knows a family by name.
 */
import type { HParams } from '../hparams.ts';
import type { BlockWeights, GlobalWeights, Steps } from '../steps.ts';

/** ggml_rope modes: adjacent pairs (llama) or halves (NeoX: qwen2, qwen3, gemma, phi3). */
export const ROPE_NORMAL = 0;
export const ROPE_NEOX = 2;

/** How the synthetic writer fills a tensor: weights ~ N(0, 1/fan_in), norms ~ 1, biases and rope factors small; a table (bert's position and token-type rows) as a weight but always F32. */
export type TensorKind = 'weight' | 'norm' | 'bias' | 'factors' | 'table';

export interface TensorDecl {
  /** Short name inside a block (`attn_q.weight`), or a global tensor's full name. */
  name: string;
  /** ggml dims (ne0 first) from the hyper-parameters. */
  dims(hp: HParams): number[];
  kind: TensorKind;
  optional?: boolean;
}

/** An `<arch>.<key>` metadata entry read into a numeric HParams field; without a fallback the key is required. */
export interface HParamKey {
  key: string;
  field: NumericField;
  fallback?: number;
}

export type NumericField = { [K in keyof HParams]: HParams[K] extends number ? K : never }[keyof HParams];

export interface Features {
  ropeMode: typeof ROPE_NORMAL | typeof ROPE_NEOX;
  /** Embeddings scaled by √n_embd after the lookup (gemma). */
  embedScale?: boolean;
  /** The gated FFN's activation: SiLU (SwiGLU) or GELU as ggml's table gives it (GeGLU). */
  activation: 'silu' | 'gelu';
  /** Where the attention scale applies: to the scores (llama) or to q before the dot (gemma, phi3; llama.cpp's kq_scale 1). */
  scaleQ?: boolean;
  /** The attention scale (default 1/√headDim). */
  attentionScale?(hp: HParams): number;
  /** Layers whose attention sees only the last hp.window positions (llama.cpp's pattern); undefined: none. */
  slidingWindow?(hp: HParams, layer: number): boolean;
  /** The global rope-factor tensor this context uses (llama 3's rope_freqs, phi3's LongRoPE short/long), or null. */
  ropeFactors?(hp: HParams, contextLength: number, has: (name: string) => boolean): string | null;
  /**
   * An encoder (bert): each input's tokens attend to all of that input's tokens (bidirectional), an input
   * runs whole in one batch (several inputs share a batch), and the last block's output is the embedding:
   * no output_norm, no output head, so the model computes embeddings and cannot generate.
   */
  encoder?: boolean;
}

export interface Architecture {
  /** `general.architecture` values this file implements. */
  readonly names: readonly string[];
  /** Keys read beyond the common ones of hparams.ts. */
  readonly hparams: readonly HParamKey[];
  /** Values computed from the others once read (e.g. llama.cpp's per-family defaults). */
  derive?(hp: HParams, meta: (key: string) => unknown): void;
  /** Tensors of every block, short names. */
  readonly blockTensors: readonly TensorDecl[];
  /** Global tensors beyond token_embd, output_norm and output (which may be tied). */
  readonly globalTensors?: readonly TensorDecl[];
  readonly features: Features;
  /** Metadata the synthetic writer adds for a model of this family (epsilon, rope base, …). */
  readonly synthetic?: { metadata: Readonly<Record<string, number | boolean>> };
  /** Steps on the looked-up token embeddings in `x` before the first block (bert: token type and position rows, LayerNorm), on the leased global tensors. */
  embed?(s: Steps, g: GlobalWeights): void;
  /** One block, top to bottom, on the batch in `s`. */
  block(s: Steps, layer: number, w: BlockWeights): void;
}

/** Dims helpers: a vector of n_embd, a matrix n_embd → out (ggml: [in, out]). */
export const vec =
  (f: (hp: HParams) => number) =>
  (hp: HParams): number[] => [f(hp)];
export const mat =
  (inp: (hp: HParams) => number, out: (hp: HParams) => number) =>
  (hp: HParams): number[] => [inp(hp), out(hp)];
export const embd = (hp: HParams): number => hp.nEmbd;
export const qDim = (hp: HParams): number => hp.nHead * hp.headDim;
export const kvDim = (hp: HParams): number => hp.kvDim;
export const ff = (hp: HParams): number => hp.nFf;

/** The tensors of a pre-norm block with separate q/k/v projections and a gated FFN (llama and most others). */
export const LLAMA_BLOCK: readonly TensorDecl[] = [
  { name: 'attn_norm.weight', dims: vec(embd), kind: 'norm' },
  { name: 'attn_q.weight', dims: mat(embd, qDim), kind: 'weight' },
  { name: 'attn_k.weight', dims: mat(embd, kvDim), kind: 'weight' },
  { name: 'attn_v.weight', dims: mat(embd, kvDim), kind: 'weight' },
  { name: 'attn_output.weight', dims: mat(qDim, embd), kind: 'weight' },
  { name: 'ffn_norm.weight', dims: vec(embd), kind: 'norm' },
  { name: 'ffn_gate.weight', dims: mat(embd, ff), kind: 'weight' },
  { name: 'ffn_up.weight', dims: mat(embd, ff), kind: 'weight' },
  { name: 'ffn_down.weight', dims: mat(ff, embd), kind: 'weight' },
];

/** llama.cpp's pattern of sliding-window layers: of every `period` layers, all but the last slide (hp.swaPeriod). */
export function swaPattern(hp: HParams, layer: number): boolean {
  if (hp.swaLayers.length > 0) return hp.swaLayers[layer] === true;
  const n = hp.swaPeriod;
  return n === 0 || layer % n < n - 1;
}

/** Per layer: its attention window in tokens (0: the whole context), from the declaration's pattern. */
export function layerWindows(hp: HParams, arch: Architecture): number[] {
  return Array.from({ length: hp.nLayer }, (_, l) => (hp.window > 0 && arch.features.slidingWindow?.(hp, l) ? hp.window : 0));
}
