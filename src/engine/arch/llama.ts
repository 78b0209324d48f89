/**
 * llama (1, 2, 3; TinyLlama, SmolLM, Mistral without sliding window):
 * pre-norm blocks of grouped-query attention with RoPE on adjacent pairs
 * (llama 3's rope_freqs factors when present) and a SwiGLU feed-forward.
 */
import { LLAMA_BLOCK, ROPE_NORMAL, type Architecture } from './types.ts';
import type { BlockWeights, Steps } from '../steps.ts';

/**
 * Pre-norm attention: norm → q/k/v (their biases when present: qwen2) → an
 * RMSNorm over each head of q and k when `qkNorm` (qwen3, gemma3) → RoPE →
 * attention → output projection into tmp (the residual add is the caller's).
 */
export function attentionHalf(s: Steps, layer: number, w: BlockWeights, qkNorm = false): void {
  const hp = s.hp;
  s.norm(w.get('attn_norm.weight'));
  s.qkv(w);
  if (qkNorm) {
    s.headNorm('q', w.get('attn_q_norm.weight'), hp.nHead);
    s.headNorm('k', w.get('attn_k_norm.weight'), hp.nHeadKv);
  }
  s.rope('q', hp.nHead, layer);
  s.rope('k', hp.nHeadKv, layer);
  s.attend(layer);
  s.project(w.get('attn_output.weight'), 'att', 'tmp');
}

/** The attention's residual add, then the pre-norm FFN and its residual add. */
export function ffnHalf(s: Steps, w: BlockWeights): void {
  s.residual();
  s.norm(w.get('ffn_norm.weight'));
  s.ffn(w);
  s.residual();
}

/** The llama block: the composition most families share (qwen2 too: its q/k/v biases are applied by `qkv` when present). */
export function llamaBlock(s: Steps, layer: number, w: BlockWeights): void {
  attentionHalf(s, layer, w);
  ffnHalf(s, w);
}

export const llama: Architecture = {
  names: ['llama'],
  hparams: [],
  blockTensors: LLAMA_BLOCK,
  globalTensors: [{ name: 'rope_freqs.weight', dims: (hp) => [hp.nRot / 2], kind: 'factors', optional: true }],
  features: {
    ropeMode: ROPE_NORMAL,
    activation: 'silu',
    ropeFactors: (_hp, _ctx, has) => (has('rope_freqs.weight') ? 'rope_freqs.weight' : null),
  },
  block: llamaBlock,
};
