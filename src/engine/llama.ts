/**
 * llama (1, 2, 3; TinyLlama, SmolLM, Mistral without sliding window):
 * pre-norm blocks of grouped-query attention with RoPE on adjacent pairs
 * (llama 3's rope_freqs factors when present) and a SwiGLU feed-forward.
 */
import type { Architecture } from './architecture.ts';

export const llama: Architecture = {
  names: ['llama'],
  ropeMode: 0,
  blockTensors: ['attn_norm.weight', 'attn_q.weight', 'attn_k.weight', 'attn_v.weight', 'attn_output.weight',
    'ffn_norm.weight', 'ffn_gate.weight', 'ffn_up.weight', 'ffn_down.weight'],
  block(s, layer, w) {
    s.norm(w.get('attn_norm.weight'));
    s.selfAttention(layer, w.get('attn_q.weight'), w.get('attn_k.weight'), w.get('attn_v.weight'), w.get('attn_output.weight'));
    s.norm(w.get('ffn_norm.weight'));
    s.swigluFeedForward(w.get('ffn_gate.weight'), w.get('ffn_up.weight'), w.get('ffn_down.weight'));
  },
};
