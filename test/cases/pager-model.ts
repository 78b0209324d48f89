/**
 * Small GgufModel values for pager tests, built in code: a tensor table laid
 * out back to back after a fake header, and the file bytes with a distinct
 * pattern per tensor, so a wrong or stale byte is caught by comparing leases
 * with the source.
 */
import type { GgufModel, GgufValue, TensorInfo } from '../../src/gguf/types.ts';

export interface TensorSpec {
  name: string;
  size: number;
}

export interface BuiltModel {
  model: GgufModel;
  bytes: Uint8Array;
}

const HEADER = 64;
const ALIGN = 32;

export function buildModel(specs: TensorSpec[], metadata: Array<[string, GgufValue]> = []): BuiltModel {
  const tensors: TensorInfo[] = [];
  let at = HEADER;
  for (const s of specs) {
    tensors.push({ name: s.name, type: 0, typeName: 'F32', dims: [Math.max(1, s.size >> 2)], relativeOffset: at - HEADER, offset: at, size: s.size, shard: 0 });
    at += Math.ceil(s.size / ALIGN) * ALIGN;
  }
  const bytes = new Uint8Array(at);
  tensors.forEach((t, i) => {
    for (let j = 0; j < t.size; j++) bytes[t.offset + j] = (i * 37 + j * 11 + 1) & 255;
  });
  const model: GgufModel = {
    version: 3,
    alignment: ALIGN,
    tensorDataOffset: HEADER,
    fileSize: at,
    metadata: new Map(metadata),
    metadataTypes: new Map(),
    tensors,
    shards: [{ name: 'test.gguf', version: 3, alignment: ALIGN, tensorDataOffset: HEADER, fileSize: at }],
    totalTensorBytes: tensors.reduce((a, t) => a + t.size, 0),
  };
  return { model, bytes };
}

export const BLOCK_TENSORS = ['attn_norm', 'attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_norm', 'ffn_gate', 'ffn_up', 'ffn_down'];

/**
 * A llama-shaped tensor table: token_embd, `blocks` blocks of nine tensors
 * (norms small, matrices `matrixBytes`), output_norm and (unless tied) output.
 */
export function llamaSpecs(blocks: number, opts: { matrixBytes?: number; normBytes?: number; embdBytes?: number; tied?: boolean } = {}): TensorSpec[] {
  const m = opts.matrixBytes ?? 1024;
  const n = opts.normBytes ?? 64;
  const e = opts.embdBytes ?? 2 * m;
  const specs: TensorSpec[] = [{ name: 'token_embd.weight', size: e }];
  for (let b = 0; b < blocks; b++) {
    for (const t of BLOCK_TENSORS) specs.push({ name: `blk.${b}.${t}.weight`, size: t.endsWith('norm') ? n : m });
  }
  specs.push({ name: 'output_norm.weight', size: n });
  if (!opts.tied) specs.push({ name: 'output.weight', size: e });
  return specs;
}

export function llamaModel(blocks: number, opts: Parameters<typeof llamaSpecs>[1] = {}): BuiltModel {
  return buildModel(llamaSpecs(blocks, opts), [
    ['general.architecture', 'llama'],
    ['llama.block_count', blocks],
  ]);
}

/** The bytes tensor `name` has in the file. */
export function expectedBytes(b: BuiltModel, name: string): Uint8Array {
  const t = b.model.tensors.find((x) => x.name === name)!;
  return b.bytes.subarray(t.offset, t.offset + t.size);
}
