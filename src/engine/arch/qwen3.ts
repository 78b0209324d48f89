/**
 * qwen3 (Qwen 3 dense: 0.6B … 32B): llama's block with an RMSNorm over each
 * head of q and of k (attn_q_norm, attn_k_norm) before NeoX RoPE, no biases,
 * a head size from attention.key_length (may differ from n_embd / n_head),
 * and an output head usually tied to the embeddings.
 */
import { LLAMA_BLOCK, ROPE_NEOX, vec, type Architecture } from './types.ts';
import { attentionHalf, ffnHalf } from './llama.ts';

const headDim = (hp: { headDim: number }): number => hp.headDim;

export const QK_NORMS = [
  { name: 'attn_q_norm.weight', dims: vec(headDim), kind: 'norm' },
  { name: 'attn_k_norm.weight', dims: vec(headDim), kind: 'norm' },
] as const;

export const qwen3: Architecture = {
  names: ['qwen3'],
  hparams: [],
  blockTensors: [...LLAMA_BLOCK, ...QK_NORMS],
  features: { ropeMode: ROPE_NEOX, activation: 'silu' },
  synthetic: { metadata: { 'attention.layer_norm_rms_epsilon': 1e-6, 'rope.freq_base': 1e6 } },
  block(s, layer, w) {
    attentionHalf(s, layer, w, true);
    ffnHalf(s, w);
  },
};
