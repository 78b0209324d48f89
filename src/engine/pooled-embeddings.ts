/**
 * Sentence embeddings from a decoder model, as llama.cpp's embedding context
 * gives them: each input runs through the blocks (causal, from position 0,
 * in the model's KV cache, which is cleared before and after), the hidden
 * states after `output_norm` are pooled (mean over the tokens, the first
 * token's, or the last token's) and the vector is L2-normalized.
 *
 * It uses the forward pass's public parts (architecture block, steps, token
 * embeddings, pager) with a small scratch of its own, taken for the call and
 * freed after it, so that the generation path stays as it is.
 */
import type { Core } from '../core/core.ts';
import { GgufPagerError } from '../core/errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { Forward } from './forward.ts';
import { computeOf } from './kernel-api.ts';
import { Scratch, ScratchLayout } from './scratch.ts';
import { BlockWeights, Steps, type Buffer } from './steps.ts';

export type Pooling = 'mean' | 'cls' | 'last';

/** llama.cpp's enum llama_pooling_type values that pool. */
const POOLING_TYPES: Record<number, Pooling> = { 1: 'mean', 2: 'cls', 3: 'last' };

/** Tokens per batch of the embedding pass (its scratch is sized for this many rows). */
const EMBED_BATCH = 8;

/** The pooling `<arch>.pooling_type` names (mean, cls, last), else mean. */
export function modelPooling(model: GgufModel): Pooling {
  const arch = model.metadata.get('general.architecture');
  const v = model.metadata.get(`${String(arch)}.pooling_type`);
  const n = typeof v === 'bigint' ? Number(v) : v;
  return (typeof n === 'number' && POOLING_TYPES[n]) || 'mean';
}

function layoutFor(core: Core, f: Forward): ScratchLayout<Buffer> {
  const { kernels, ops } = computeOf(core);
  const hp = f.hp;
  const B = EMBED_BATCH;
  const work = Math.max(0, ...f.model.tensors.filter((t) => t.dims.length >= 2 && t.dims[1] > 1 && t.name.startsWith('blk.')).map((t) => kernels.workBytes(t.type, t.dims[0], B)));
  return new ScratchLayout<Buffer>()
    .add('x', B * hp.nEmbd * 4).add('xn', B * hp.nEmbd * 4).add('tmp', B * hp.nEmbd * 4)
    .add('q', B * hp.nHead * hp.headDim * 4).add('att', B * hp.nHead * hp.headDim * 4)
    .add('k', B * hp.kvDim * 4).add('v', B * hp.kvDim * 4)
    .add('gate', B * hp.nFf * 4).add('up', B * hp.nFf * 4)
    .add('pos', B * 4).add('work', work)
    .add('attScratch', ops.attentionScratchBytes?.(f.kv.contextLength) ?? f.kv.contextLength * 4 + 64);
}

/** One L2-normalized vector per input (token ids); the KV cache is left empty. */
export async function pooledEmbeddings(core: Core, f: Forward, inputs: readonly (readonly number[])[], pooling: Pooling, signal?: AbortSignal): Promise<number[][]> {
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].length === 0) throw new GgufPagerError('INVALID_ARGUMENT', `${f.label}: input ${i} has no tokens`, { field: `input[${i}]` });
    if (inputs[i].length > f.kv.contextLength) {
      throw new GgufPagerError('INVALID_ARGUMENT', `${f.label}: input ${i} has ${inputs[i].length} tokens, more than the context of ${f.kv.contextLength}`, { field: `input[${i}]` });
    }
  }
  const { ops } = computeOf(core);
  const scratch = new Scratch(core.arena, layoutFor(core, f), `${f.label} (embeddings)`);
  const s = new Steps(f.hp, computeOf(core).kernels, ops, scratch, f.kv, f.arch.ropeMode);
  const hasFactors = f.model.tensors.some((t) => t.name === 'rope_freqs.weight');
  const factors = hasFactors ? await f.pager.acquire('rope_freqs.weight', { signal }) : undefined;
  const norm = await f.pager.acquire('output_norm.weight', { signal });
  s.ropeFactors = factors ? factors.ptr : 0;
  const out: number[][] = [];
  try {
    for (const ids of inputs) {
      f.kv.clear();
      f.kv.reserve(ids.length);
      const acc = new Float64Array(f.hp.nEmbd);
      for (let at = 0; at < ids.length; at += EMBED_BATCH) {
        const batch = ids.slice(at, at + EMBED_BATCH);
        await runBatch(f, s, core.memory, batch, signal);
        ops.rmsNorm(scratch.ptr('x'), norm.ptr, scratch.ptr('xn'), f.hp.nEmbd, batch.length, f.hp.eps);
        const rows = new Float32Array(core.memory.buffer, scratch.ptr('xn'), batch.length * f.hp.nEmbd);
        pool(acc, rows, f.hp.nEmbd, pooling, at === 0, at + batch.length === ids.length);
      }
      if (pooling === 'mean') for (let j = 0; j < acc.length; j++) acc[j] /= ids.length;
      out.push(l2normalized(acc));
    }
  } finally {
    f.kv.clear();
    f.pager.release(norm);
    if (factors) f.pager.release(factors);
    scratch.free();
  }
  return out;
}

async function runBatch(f: Forward, s: Steps, memory: WebAssembly.Memory, ids: readonly number[], signal?: AbortSignal): Promise<void> {
  s.n = ids.length;
  s.start = f.kv.length;
  const pos = new Int32Array(memory.buffer, s.buf.ptr('pos'), ids.length);
  for (let i = 0; i < ids.length; i++) pos[i] = s.start + i;
  await f.embeddings.lookup(ids, s.buf.ptr('x'), signal);
  for (let layer = 0; layer < f.hp.nLayer; layer++) {
    const lease = await f.pager.acquireLayer(layer, { signal });
    try {
      f.arch.block(s, layer, new BlockWeights(lease, f.model.tensors));
    } finally {
      f.pager.release(lease);
    }
  }
  f.kv.commit(ids);
}

/** Adds a batch's rows to the pooled vector: all rows (mean), the first of the first batch (cls), the last of the last (last). */
function pool(acc: Float64Array, rows: Float32Array, width: number, pooling: Pooling, first: boolean, last: boolean): void {
  const n = rows.length / width;
  if (pooling === 'mean') {
    for (let r = 0; r < n; r++) for (let j = 0; j < width; j++) acc[j] += rows[r * width + j];
  } else if (pooling === 'cls' && first) {
    for (let j = 0; j < width; j++) acc[j] = rows[j];
  } else if (pooling === 'last' && last) {
    for (let j = 0; j < width; j++) acc[j] = rows[(n - 1) * width + j];
  }
}

function l2normalized(v: Float64Array): number[] {
  let ss = 0;
  for (let j = 0; j < v.length; j++) ss += v[j] * v[j];
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  return Array.from(v, (x) => x * inv);
}
