/**
 * bert (bge-small/base/large, all-MiniLM, e5, gte and other sentence-embedding
 * encoders), as llama.cpp's graph (src/models/bert.cpp): the token row plus
 * token type 0's row plus the position's row (absolute, learned), LayerNorm'd;
 * then each block is post-norm — bidirectional attention with biased q/k/v
 * and output, residual, LayerNorm; a plain GELU FFN (up, GELU, down, with
 * biases), residual, LayerNorm. No output norm and no head: the last block's
 * output is pooled into the embedding (`bert.pooling_type`). An encoder: it
 * computes embeddings and cannot generate.
 */
import { ROPE_NORMAL, embd, ff, kvDim, mat, qDim, vec, type Architecture, type TensorDecl } from './types.ts';
import type { HParams } from '../hparams.ts';
import type { BlockWeights, Steps } from '../steps.ts';

const ctx = (hp: HParams): number => hp.trainedContext;
const bias = (name: string, n: (hp: HParams) => number, optional = false): TensorDecl => ({ name, dims: vec(n), kind: 'bias', optional });

/** A projection's weight and its optional bias (llama.cpp loads them optional; real models have them). */
const projection = (name: string, from: (hp: HParams) => number, to: (hp: HParams) => number): TensorDecl[] => [
  { name: `${name}.weight`, dims: mat(from, to), kind: 'weight' },
  bias(`${name}.bias`, to, true),
];

/** A LayerNorm's weight and bias (both required). */
const layerNorm = (name: string): TensorDecl[] => [{ name: `${name}.weight`, dims: vec(embd), kind: 'norm' }, bias(`${name}.bias`, embd)];

/** to = W·from (+ bias when the block has it). */
function project(s: Steps, w: BlockWeights, name: string, from: 'att' | 'x' | 'up', to: 'tmp' | 'up'): void {
  s.project(w.get(`${name}.weight`), from, to);
  if (w.has(`${name}.bias`)) s.bias(to, w.get(`${name}.bias`));
}

/** The residual add, then the LayerNorm `name`. */
function residualNorm(s: Steps, w: BlockWeights, name: string): void {
  s.residual();
  s.layerNorm(w.get(`${name}.weight`), w.get(`${name}.bias`));
}

export const bert: Architecture = {
  names: ['bert'],
  hparams: [{ key: 'attention.layer_norm_epsilon', field: 'eps' }],
  // the projections' biases are optional, as llama.cpp loads them (real models have them); the norms' are not
  blockTensors: [
    ...projection('attn_q', embd, qDim),
    ...projection('attn_k', embd, kvDim),
    ...projection('attn_v', embd, kvDim),
    ...projection('attn_output', qDim, embd),
    ...layerNorm('attn_output_norm'),
    ...projection('ffn_up', embd, ff),
    ...projection('ffn_down', ff, embd),
    ...layerNorm('layer_output_norm'),
  ],
  globalTensors: [
    { name: 'position_embd.weight', dims: mat(embd, ctx), kind: 'table' },
    // F32 in the writer: llama.cpp adds a view of token_types, which ggml's CPU add cannot read quantized
    // llama.cpp reads it when present (tokenizer.ggml.token_type_count rows; real models have 2) and adds type 0's row
    { name: 'token_types.weight', dims: mat(embd, () => 2), kind: 'table', optional: true },
    ...layerNorm('token_embd_norm'),
  ],
  features: { ropeMode: ROPE_NORMAL, activation: 'gelu', encoder: true },
  synthetic: { metadata: { 'attention.layer_norm_epsilon': 1e-12, 'attention.causal': false } },
  embed(s, g) {
    if (g.has('token_types.weight')) s.addRows(g.get('token_types.weight'), 0);
    s.addRows(g.get('position_embd.weight'), 'pos');
    s.layerNorm(g.get('token_embd_norm.weight'), g.get('token_embd_norm.bias'));
  },
  block(s, layer, w) {
    s.qkv(w, 'x');
    s.attend(layer);
    project(s, w, 'attn_output', 'att', 'tmp');
    residualNorm(s, w, 'attn_output_norm');
    project(s, w, 'ffn_up', 'x', 'up');
    s.gelu('up', s.hp.nFf);
    project(s, w, 'ffn_down', 'up', 'tmp');
    residualNorm(s, w, 'layer_output_norm');
  },
};
