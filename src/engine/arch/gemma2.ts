/**
 * gemma2 (Gemma 2 2B, 9B, 27B): embeddings scaled by √n_embd; each block
 * norms the attention and the FFN outputs again (post_attention_norm,
 * post_ffw_norm) before their residual adds; a GELU-gated FFN; q scaled
 * before the dot (1/√headDim, 1/√(n_embd/n_head) on the 27B), attention
 * scores and final logits tanh soft-capped; a sliding window on alternate
 * layers (even ones, llama.cpp's pattern 2), and a tied output head.
 */
import { LLAMA_BLOCK, ROPE_NEOX, embd, swaPattern, vec, type Architecture, type TensorDecl } from './types.ts';
import type { HParams } from '../hparams.ts';
import type { BlockWeights, Steps } from '../steps.ts';
import { attentionHalf } from './llama.ts';

export const POST_NORMS: readonly TensorDecl[] = [
  { name: 'post_attention_norm.weight', dims: vec(embd), kind: 'norm' },
  { name: 'post_ffw_norm.weight', dims: vec(embd), kind: 'norm' },
];

/** gemma's scale of q: 1/√headDim, except the 27B models (46 or 62 layers): 1/√(n_embd / n_head), as llama.cpp. */
export function gemmaAttentionScale(hp: HParams, layers27b: number): number {
  return hp.nLayer === layers27b ? 1 / Math.sqrt(hp.nEmbd / hp.nHead) : 1 / Math.sqrt(hp.headDim);
}

/** The second half of a gemma block: post-attention norm and residual, then the FFN between its norms. */
export function gemmaTail(s: Steps, w: BlockWeights): void {
  s.norm(w.get('post_attention_norm.weight'), 'tmp', 'tmp');
  s.residual();
  s.norm(w.get('ffn_norm.weight'));
  s.ffn(w);
  s.norm(w.get('post_ffw_norm.weight'), 'tmp', 'tmp');
  s.residual();
}

export const gemma2: Architecture = {
  names: ['gemma2'],
  hparams: [
    { key: 'attn_logit_softcapping', field: 'attnSoftcap', fallback: 50 },
    { key: 'final_logit_softcapping', field: 'finalSoftcap', fallback: 30 },
    { key: 'attention.sliding_window', field: 'window', fallback: 4096 },
  ],
  derive(hp, meta) {
    if (meta('attention.sliding_window_pattern') === undefined) hp.swaPeriod = 2;
    if (meta('rope.freq_base_swa') === undefined) hp.ropeBaseSwa = hp.ropeBase;
    hp.ropeScaleSwa = hp.ropeScale;
    hp.attnScale = gemmaAttentionScale(hp, 46);
  },
  blockTensors: [...LLAMA_BLOCK, ...POST_NORMS],
  features: { ropeMode: ROPE_NEOX, activation: 'gelu', embedScale: true, scaleQ: true, slidingWindow: swaPattern },
  synthetic: { metadata: { 'attention.layer_norm_rms_epsilon': 1e-6 } },
  block(s, layer, w) {
    attentionHalf(s, layer, w);
    gemmaTail(s, w);
  },
};
