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

/** y += bias when the block has it. */
function biased(s: Steps, w: BlockWeights, b: 'tmp' | 'up', name: string): void {
  if (w.has(name)) s.bias(b, w.get(name));
}

export const bert: Architecture = {
  names: ['bert'],
  hparams: [{ key: 'attention.layer_norm_epsilon', field: 'eps' }],
  // the projections' biases are optional, as llama.cpp loads them (real models have them); the norms' are not
  blockTensors: [
    { name: 'attn_q.weight', dims: mat(embd, qDim), kind: 'weight' },
    bias('attn_q.bias', qDim, true),
    { name: 'attn_k.weight', dims: mat(embd, kvDim), kind: 'weight' },
    bias('attn_k.bias', kvDim, true),
    { name: 'attn_v.weight', dims: mat(embd, kvDim), kind: 'weight' },
    bias('attn_v.bias', kvDim, true),
    { name: 'attn_output.weight', dims: mat(qDim, embd), kind: 'weight' },
    bias('attn_output.bias', embd, true),
    { name: 'attn_output_norm.weight', dims: vec(embd), kind: 'norm' },
    bias('attn_output_norm.bias', embd),
    { name: 'ffn_up.weight', dims: mat(embd, ff), kind: 'weight' },
    bias('ffn_up.bias', ff, true),
    { name: 'ffn_down.weight', dims: mat(ff, embd), kind: 'weight' },
    bias('ffn_down.bias', embd, true),
    { name: 'layer_output_norm.weight', dims: vec(embd), kind: 'norm' },
    bias('layer_output_norm.bias', embd),
  ],
  globalTensors: [
    { name: 'position_embd.weight', dims: mat(embd, ctx), kind: 'table' },
    // F32 in the writer: llama.cpp adds a view of token_types, which ggml's CPU add cannot read quantized
    // llama.cpp reads it when present (tokenizer.ggml.token_type_count rows; real models have 2) and adds type 0's row
    { name: 'token_types.weight', dims: mat(embd, () => 2), kind: 'table', optional: true },
    { name: 'token_embd_norm.weight', dims: vec(embd), kind: 'norm' },
    bias('token_embd_norm.bias', embd),
  ],
  features: { ropeMode: ROPE_NORMAL, activation: 'gelu', encoder: true },
  synthetic: { metadata: { 'attention.layer_norm_epsilon': 1e-12, 'attention.causal': false } },
  embed(s, g) {
    if (g.has('token_types.weight')) s.addRows(g.get('token_types.weight'), 0);
    s.addRows(g.get('position_embd.weight'), 'pos');
    s.layerNorm(g.get('token_embd_norm.weight'), g.get('token_embd_norm.bias'));
  },
  block(s, layer, w) {
    const nFf = s.hp.nFf;
    s.qkv(w, 'x');
    s.attend(layer);
    s.project(w.get('attn_output.weight'), 'att', 'tmp');
    biased(s, w, 'tmp', 'attn_output.bias');
    s.residual();
    s.layerNorm(w.get('attn_output_norm.weight'), w.get('attn_output_norm.bias'));
    s.project(w.get('ffn_up.weight'), 'x', 'up');
    biased(s, w, 'up', 'ffn_up.bias');
    s.gelu('up', nFf);
    s.project(w.get('ffn_down.weight'), 'up', 'tmp');
    biased(s, w, 'tmp', 'ffn_down.bias');
    s.residual();
    s.layerNorm(w.get('layer_output_norm.weight'), w.get('layer_output_norm.bias'));
  },
};
