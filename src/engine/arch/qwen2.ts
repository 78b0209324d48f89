/**
 * qwen2 (Qwen 2, 2.5): llama's block with biases on the q, k and v
 * projections and RoPE on the two halves of each head (NeoX order).
 */
import { LLAMA_BLOCK, ROPE_NEOX, kvDim, qDim, vec, type Architecture } from './types.ts';
import { llamaBlock } from './llama.ts';

export const qwen2: Architecture = {
  names: ['qwen2'],
  hparams: [],
  blockTensors: [
    ...LLAMA_BLOCK.slice(0, 4),
    { name: 'attn_q.bias', dims: vec(qDim), kind: 'bias' },
    { name: 'attn_k.bias', dims: vec(kvDim), kind: 'bias' },
    { name: 'attn_v.bias', dims: vec(kvDim), kind: 'bias' },
    ...LLAMA_BLOCK.slice(4),
  ],
  features: { ropeMode: ROPE_NEOX, activation: 'silu' },
  synthetic: { metadata: { 'attention.layer_norm_rms_epsilon': 1e-6, 'rope.freq_base': 1e6 } },
  block: llamaBlock,
};
