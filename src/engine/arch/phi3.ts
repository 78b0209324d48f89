/**
 * phi3 (Phi-3, Phi-3.5-mini, Phi-4-mini): one fused attn_qkv projection and a
 * fused gate+up ffn_up (gate rows first), both used in place by row offsets;
 * NeoX RoPE over the first rope.dimension_count dims of each head (partial
 * rotary on Phi-4-mini), with LongRoPE's per-dim factors — rope_factors_short
 * up to rope.scaling.original_context_length, rope_factors_long past it — and
 * rope.scaling.attn_factor on cos and sin; q scaled by 1/√headDim before the
 * dot. No sliding window, as llama.cpp (it disables phi3's).
 */
import { llamaBlock } from './llama.ts';
import { ROPE_NEOX, embd, ff, mat, qDim, vec, type Architecture } from './types.ts';

const qkv = (hp: { nHead: number; headDim: number; kvDim: number }): number => hp.nHead * hp.headDim + 2 * hp.kvDim;
const half = (hp: { nRot: number }): number => hp.nRot / 2;

export const phi3: Architecture = {
  names: ['phi3'],
  hparams: [],
  blockTensors: [
    { name: 'attn_norm.weight', dims: vec(embd), kind: 'norm' },
    { name: 'attn_qkv.weight', dims: mat(embd, qkv), kind: 'weight' },
    { name: 'attn_output.weight', dims: mat(qDim, embd), kind: 'weight' },
    { name: 'ffn_norm.weight', dims: vec(embd), kind: 'norm' },
    { name: 'ffn_up.weight', dims: mat(embd, (hp) => 2 * ff(hp)), kind: 'weight' },
    { name: 'ffn_down.weight', dims: mat(ff, embd), kind: 'weight' },
  ],
  globalTensors: [
    { name: 'rope_factors_long.weight', dims: vec(half), kind: 'factors', optional: true },
    { name: 'rope_factors_short.weight', dims: vec(half), kind: 'factors', optional: true },
  ],
  features: {
    ropeMode: ROPE_NEOX,
    activation: 'silu',
    scaleQ: true,
    ropeFactors(hp, contextLength, has) {
      const name = contextLength > hp.ropeOrigContext ? 'rope_factors_long.weight' : 'rope_factors_short.weight';
      return has(name) ? name : null;
    },
  },
  // llama's order of ops: the fused qkv and gate+up are split by `qkv` and `ffn`, the partial rotary by `rope`
  block: llamaBlock,
};
