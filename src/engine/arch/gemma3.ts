/**
 * gemma3 (text: Gemma 3 270M, 1B, 4B, 12B, 27B): gemma2's block without the
 * attention soft-cap (a final cap only when the file has one), plus per-head
 * q/k norms; five sliding-window layers of every six (llama.cpp's pattern 6,
 * or the file's per-layer array), which use their own RoPE base
 * (rope.freq_base_swa, 10 000) and no rope scaling, while global layers use
 * rope.freq_base with the file's linear scaling. Vocabularies of 262 k tokens
 * with a tied head.
 */
import { LLAMA_BLOCK, ROPE_NEOX, swaPattern, type Architecture } from './types.ts';
import { POST_NORMS, gemmaAttentionScale, gemmaTail } from './gemma2.ts';
import { attentionHalf } from './llama.ts';
import { QK_NORMS } from './qwen3.ts';

export const gemma3: Architecture = {
  names: ['gemma3'],
  hparams: [
    { key: 'final_logit_softcapping', field: 'finalSoftcap', fallback: 0 },
    { key: 'attention.sliding_window', field: 'window', fallback: 0 },
  ],
  derive(hp, meta) {
    if (meta('attention.sliding_window_pattern') === undefined) hp.swaPeriod = 6;
    hp.attnScale = gemmaAttentionScale(hp, 62);
  },
  blockTensors: [...LLAMA_BLOCK, ...QK_NORMS, ...POST_NORMS],
  features: { ropeMode: ROPE_NEOX, activation: 'gelu', embedScale: true, scaleQ: true, slidingWindow: swaPattern },
  synthetic: { metadata: { 'attention.layer_norm_rms_epsilon': 1e-6, 'rope.freq_base': 1e6 } },
  block(s, layer, w) {
    attentionHalf(s, layer, w, true);
    gemmaTail(s, w);
  },
};
