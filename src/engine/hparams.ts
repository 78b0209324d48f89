/**
 * A model's hyper-parameters, read from its GGUF metadata (`<arch>.*` keys) and
 * tensor shapes, with llama.cpp's defaults for the keys a file may omit: the
 * common keys here, then the keys its architecture declares (arch/*.ts).
 */
import { GgufPagerError } from '../errors.ts';
import type { GgufModel, TensorInfo } from '../gguf/types.ts';
import type { Architecture } from './arch/types.ts';

export interface HParams {
  arch: string;
  nLayer: number;
  nEmbd: number;
  nFf: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  /** nHeadKv × headDim: the width of one token's K (and V). */
  kvDim: number;
  /** Rotated dimensions per head (rope.dimension_count, default headDim). */
  nRot: number;
  ropeBase: number;
  /** 1 / rope.scaling.factor for linear scaling, else 1. */
  ropeScale: number;
  /** ggml's attn_factor: cos and sin are multiplied by it (rope.scaling.attn_factor, LongRoPE). */
  ropeAttnFactor: number;
  /** rope.scaling.original_context_length (LongRoPE picks its long factors past it), default the trained context. */
  ropeOrigContext: number;
  /** RoPE base and scale of sliding-window layers (llama.cpp's rope_freq_base_train_swa: 10 000 unless the family says). */
  ropeBaseSwa: number;
  ropeScaleSwa: number;
  eps: number;
  trainedContext: number;
  vocab: number;
  /** Attention window of sliding-window layers in tokens (0: no layer slides). */
  window: number;
  /** llama.cpp's sliding_window_pattern as a period (all layers but every period-th slide), when not an array. */
  swaPeriod: number;
  /** Per-layer sliding flags when the file gives sliding_window_pattern as an array (else empty). */
  swaLayers: boolean[];
  /** tanh soft-caps of the attention scores and of the final logits (0: none). */
  attnSoftcap: number;
  finalSoftcap: number;
  /** The scale of q·k (1/√headDim unless the family says). */
  attnScale: number;
}

export function readHParams(model: GgufModel, decl: Architecture): HParams {
  const m = model.metadata;
  const name = m.get('general.architecture');
  const arch = typeof name === 'string' && decl.names.includes(name) ? name : decl.names[0];
  const raw = (key: string): unknown => m.get(`${arch}.${key}`);
  const num = (key: string, fallback?: number): number => {
    const v = raw(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
    if (fallback !== undefined) return fallback;
    throw new GgufPagerError('MODEL_INCOMPLETE', `${arch}: metadata key ${arch}.${key} is missing`, { architecture: arch, key: `${arch}.${key}` });
  };
  const embd = tensorOf(model, 'token_embd.weight', arch);
  const nEmbd = num('embedding_length');
  const nHead = num('attention.head_count');
  const nHeadKv = num('attention.head_count_kv', nHead);
  const headDim = num('attention.key_length', nEmbd / nHead);
  const scaling = raw('rope.scaling.type');
  const factor = num('rope.scaling.factor', 0);
  const ropeBase = num('rope.freq_base', 10000);
  const trainedContext = num('context_length', 2048);
  const pattern = raw('attention.sliding_window_pattern');
  const hp: HParams = {
    arch,
    nLayer: num('block_count'),
    nEmbd,
    nFf: num('feed_forward_length'),
    nHead,
    nHeadKv,
    headDim,
    kvDim: nHeadKv * headDim,
    nRot: num('rope.dimension_count', headDim),
    ropeBase,
    ropeScale: scaling === 'linear' && factor > 0 ? 1 / factor : 1,
    ropeAttnFactor: num('rope.scaling.attn_factor', 1),
    ropeOrigContext: num('rope.scaling.original_context_length', trainedContext),
    ropeBaseSwa: num('rope.freq_base_swa', 10000),
    ropeScaleSwa: 1,
    eps: num('attention.layer_norm_rms_epsilon', 1e-5),
    trainedContext,
    vocab: embd.dims[1] ?? 0,
    window: 0,
    swaPeriod: typeof pattern === 'number' ? pattern : 0,
    swaLayers: Array.isArray(pattern) && typeof pattern[0] === 'boolean' ? (pattern as boolean[]) : [],
    attnSoftcap: 0,
    finalSoftcap: 0,
    attnScale: 1 / Math.sqrt(headDim),
  };
  for (const k of decl.hparams) hp[k.field] = num(k.key, k.fallback);
  decl.derive?.(hp, raw);
  const bad = (['nLayer', 'nEmbd', 'nFf', 'nHead', 'nHeadKv', 'headDim', 'vocab'] as const).find((k) => !Number.isInteger(hp[k]) || hp[k] <= 0);
  const badRot = !Number.isInteger(hp.nRot) || hp.nRot <= 0 || hp.nRot > headDim || hp.nRot % 2 !== 0;
  if (bad || badRot || nHead % nHeadKv !== 0 || embd.dims[0] !== nEmbd || !(hp.window >= 0)) {
    throw new GgufPagerError(
      'MODEL_INCOMPLETE',
      `${arch}: inconsistent hyper-parameters (${bad ?? `heads ${nHead}/${nHeadKv}, rotary dims ${hp.nRot} of ${headDim}, token_embd ${embd.dims.join('×')}, embedding ${nEmbd}`})`,
      { architecture: arch },
    );
  }
  return hp;
}

export function tensorOf(model: GgufModel, name: string, arch: string): TensorInfo {
  const t = model.tensors.find((x) => x.name === name);
  if (!t) throw new GgufPagerError('MODEL_INCOMPLETE', `${arch}: the model has no tensor ${name}`, { architecture: arch, tensor: name });
  return t;
}
