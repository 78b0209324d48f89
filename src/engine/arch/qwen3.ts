/**
 * qwen3 (Qwen 3 dense: 0.6B … 32B): llama's block with an RMSNorm over each
 * head of q and of k (attn_q_norm, attn_k_norm) before NeoX RoPE, no biases,
 * a head size from attention.key_length (may differ from n_embd / n_head),
 * and an output head usually tied to the embeddings.
 */
import { LLAMA_BLOCK, ROPE_NEOX, vec, type Architecture } from './types.ts';
import type { BlockWeights, Steps } from '../steps.ts';

const headDim = (hp: { headDim: number }): number => hp.headDim;

/** norm → q/k/v → per-head q/k norms → RoPE → attention → output → residual (qwen3 and gemma3 share it). */
export function attentionWithQkNorm(s: Steps, layer: number, w: BlockWeights): void {
  const hp = s.hp;
  s.norm(w.get('attn_norm.weight'));
  s.qkv(w);
  s.headNorm('q', w.get('attn_q_norm.weight'), hp.nHead);
  s.headNorm('k', w.get('attn_k_norm.weight'), hp.nHeadKv);
  s.rope('q', hp.nHead, layer);
  s.rope('k', hp.nHeadKv, layer);
  s.attend(layer);
  s.project(w.get('attn_output.weight'), 'att', 'tmp');
}

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
    attentionWithQkNorm(s, layer, w);
    s.residual();
    s.norm(w.get('ffn_norm.weight'));
    s.ffn(w);
    s.residual();
  },
};
