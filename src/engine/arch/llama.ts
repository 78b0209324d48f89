/**
 * llama (1, 2, 3; TinyLlama, SmolLM, Mistral without sliding window):
 * pre-norm blocks of grouped-query attention with RoPE on adjacent pairs
 * (llama 3's rope_freqs factors when present) and a SwiGLU feed-forward.
 */
import { LLAMA_BLOCK, ROPE_NORMAL, type Architecture } from './types.ts';
import type { BlockWeights, Steps } from '../steps.ts';

/** The llama block: the composition most families share (qwen2 too: its q/k/v biases are applied by `qkv` when present). */
export function llamaBlock(s: Steps, layer: number, w: BlockWeights): void {
  const hp = s.hp;
  s.norm(w.get('attn_norm.weight'));
  s.qkv(w);
  s.rope('q', hp.nHead, layer);
  s.rope('k', hp.nHeadKv, layer);
  s.attend(layer);
  s.project(w.get('attn_output.weight'), 'att', 'tmp');
  s.residual();
  s.norm(w.get('ffn_norm.weight'));
  s.ffn(w);
  s.residual();
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
