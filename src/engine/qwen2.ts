/**
 * qwen2: llama's block with biases on the q, k and v projections and RoPE on
 * the two halves of each head (NeoX order).
 */
import type { Architecture } from './architecture.ts';

export const qwen2: Architecture = {
  names: ['qwen2'],
  ropeMode: 2,
  blockTensors: ['attn_norm.weight', 'attn_q.weight', 'attn_k.weight', 'attn_v.weight', 'attn_q.bias', 'attn_k.bias', 'attn_v.bias',
    'attn_output.weight', 'ffn_norm.weight', 'ffn_gate.weight', 'ffn_up.weight', 'ffn_down.weight'],
  block(s, layer, w) {
    s.norm(w.get('attn_norm.weight'));
    s.selfAttention(layer, w.get('attn_q.weight'), w.get('attn_k.weight'), w.get('attn_v.weight'), w.get('attn_output.weight'),
      { q: w.get('attn_q.bias'), k: w.get('attn_k.bias'), v: w.get('attn_v.bias') });
    s.norm(w.get('ffn_norm.weight'));
    s.swigluFeedForward(w.get('ffn_gate.weight'), w.get('ffn_up.weight'), w.get('ffn_down.weight'));
  },
};
