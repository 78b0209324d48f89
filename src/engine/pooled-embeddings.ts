/**
 * Sentence embeddings from a decoder model, as llama.cpp's embedding context
 * gives them: each input runs through the blocks (causal, from position 0,
 * in the model's KV cache, which is cleared before and after), the hidden
 * states after `output_norm` are pooled (mean over the tokens, the first
 * token's, or the last token's) and the vector is L2-normalized.
 *
 * The blocks run through the forward pass itself (`Forward.hidden`: the same
 * batches, architecture and scratch as generation, without the output head).
 * An encoder (bert) runs its inputs together instead (`Forward.encode`: several
 * whole inputs per batch, each attending to its own tokens) and pools the last
 * block's output (it has no output_norm).
 */
import { GgufPagerError } from '../errors.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { Forward } from './forward.ts';

export type Pooling = 'mean' | 'cls' | 'last';

/** llama.cpp's enum llama_pooling_type values that pool. */
const POOLING_TYPES: Record<number, Pooling> = { 1: 'mean', 2: 'cls', 3: 'last' };

/** The pooling `<arch>.pooling_type` names (mean, cls, last), else mean. */
export function modelPooling(model: GgufModel): Pooling {
  const arch = model.metadata.get('general.architecture');
  const v = model.metadata.get(`${String(arch)}.pooling_type`);
  const n = typeof v === 'bigint' ? Number(v) : v;
  return (typeof n === 'number' && POOLING_TYPES[n]) || 'mean';
}

/** One L2-normalized vector per input (token ids); the KV cache is left empty. */
export async function pooledEmbeddings(f: Forward, inputs: readonly (readonly number[])[], pooling: Pooling, signal?: AbortSignal): Promise<number[][]> {
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].length === 0) throw new GgufPagerError('INVALID_ARGUMENT', `${f.label}: input ${i} has no tokens`, { field: `input[${i}]` });
    if (inputs[i].length > f.inputLimit) {
      throw new GgufPagerError('INVALID_ARGUMENT', `${f.label}: input ${i} has ${inputs[i].length} tokens, more than the ${f.inputLimit} an input may have`, {
        field: `input[${i}]`,
      });
    }
  }
  const width = f.hp.nEmbd;
  if (f.encoder) return encoderEmbeddings(f, inputs, pooling, signal);
  const out: number[][] = [];
  try {
    for (const ids of inputs) {
      f.kv.clear();
      const acc = new Float64Array(width);
      await f.hidden(ids, (rows, at) => pool(acc, rows, width, pooling, at === 0, at + rows.length / width === ids.length), signal);
      if (pooling === 'mean') for (let j = 0; j < width; j++) acc[j] /= ids.length;
      out.push(l2normalized(acc));
    }
  } finally {
    f.kv.clear();
  }
  return out;
}

/** An encoder's embeddings: its inputs batched together (Forward.encode), each pooled from its rows after the last block. */
async function encoderEmbeddings(f: Forward, inputs: readonly (readonly number[])[], pooling: Pooling, signal?: AbortSignal): Promise<number[][]> {
  const width = f.hp.nEmbd;
  const out: number[][] = new Array<number[]>(inputs.length);
  await f.encode(
    inputs,
    (i, rows) => {
      const acc = new Float64Array(width);
      pool(acc, rows, width, pooling, true, true);
      if (pooling === 'mean') for (let j = 0; j < width; j++) acc[j] /= inputs[i].length;
      out[i] = l2normalized(acc);
    },
    signal,
  );
  return out;
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
