/**
 * A model's hyper-parameters, read from its GGUF metadata (`<arch>.*` keys) and
 * tensor shapes, with llama.cpp's defaults for the keys a file may omit.
 */
import { GgufPagerError } from '../core/errors.ts';
import type { GgufModel, TensorInfo } from '../gguf/types.ts';

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
  eps: number;
  trainedContext: number;
  vocab: number;
}

export function readHParams(model: GgufModel, arch: string): HParams {
  const m = model.metadata;
  const num = (key: string, fallback?: number): number => {
    const v = m.get(`${arch}.${key}`);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
    if (fallback !== undefined) return fallback;
    throw new GgufPagerError('UNSUPPORTED_ARCHITECTURE', `${arch}: metadata key ${arch}.${key} is missing`, { architecture: arch, key: `${arch}.${key}` });
  };
  const embd = tensorOf(model, 'token_embd.weight', arch);
  const nEmbd = num('embedding_length');
  const nHead = num('attention.head_count');
  const nHeadKv = num('attention.head_count_kv', nHead);
  const headDim = num('attention.key_length', nEmbd / nHead);
  const scaling = m.get(`${arch}.rope.scaling.type`);
  const factor = num('rope.scaling.factor', 0);
  const hp: HParams = {
    arch, nLayer: num('block_count'), nEmbd, nFf: num('feed_forward_length'), nHead, nHeadKv, headDim,
    kvDim: nHeadKv * headDim, nRot: num('rope.dimension_count', headDim), ropeBase: num('rope.freq_base', 10000),
    ropeScale: scaling === 'linear' && factor > 0 ? 1 / factor : 1,
    eps: num('attention.layer_norm_rms_epsilon', 1e-5), trainedContext: num('context_length', 2048), vocab: embd.dims[1] ?? 0,
  };
  const bad = (['nLayer', 'nEmbd', 'nFf', 'nHead', 'nHeadKv', 'headDim', 'vocab'] as const).find((k) => !Number.isInteger(hp[k]) || hp[k] <= 0);
  if (bad || nHead % nHeadKv !== 0 || embd.dims[0] !== nEmbd) {
    throw new GgufPagerError('UNSUPPORTED_ARCHITECTURE', `${arch}: inconsistent hyper-parameters (${bad ?? `heads ${nHead}/${nHeadKv}, token_embd ${embd.dims.join('×')}, embedding ${nEmbd}`})`, { architecture: arch });
  }
  return hp;
}

export function tensorOf(model: GgufModel, name: string, arch: string): TensorInfo {
  const t = model.tensors.find((x) => x.name === name);
  if (!t) throw new GgufPagerError('UNSUPPORTED_ARCHITECTURE', `${arch}: the model has no tensor ${name}`, { architecture: arch, tensor: name });
  return t;
}
