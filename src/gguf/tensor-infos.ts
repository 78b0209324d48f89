/**
 * GGUF tensor infos, `tensor_count` entries after the metadata:
 *
 *   name: u64 length, UTF-8 | n_dims: u32 | dims: u64 × n_dims | type: u32 | offset: u64
 *
 * `offset` is relative to the tensor data section, which starts at the end of
 * the infos rounded up to `general.alignment`. The layout checks (alignment,
 * bounds, overlap) run once that start is known.
 */
import { GgufPagerError } from '../core/errors.ts';
import { requireGgmlType, tensorByteSize } from './ggml-types.ts';
import type { GgufLimits } from './limits.ts';
import { readString } from './metadata.ts';
import type { HeaderReader } from './reader.ts';
import type { TensorInfo } from './types.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Smallest possible tensor info: name length (8), empty name, n_dims (4), type (4), offset (8). */
export const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

/** Tensor infos with `offset` still relative (filled in by `placeTensors`). */
export async function readTensorInfos(r: HeaderReader, count: number, limits: GgufLimits, shard: number): Promise<TensorInfo[]> {
  const src = r.source.name;
  const seen = new Set<string>();
  const out: TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    r.tail = (count - i - 1) * MIN_TENSOR_INFO_BYTES;
    const at = r.pos;
    const name = await readString(r, limits, 'maxNameLength', true, `tensor #${i}`);
    if (seen.has(name)) {
      throw new GgufPagerError('GGUF_DUPLICATE_TENSOR', `${src}: tensor '${name}' at byte ${at} is declared twice`, { source: src, tensor: name, offset: at });
    }
    seen.add(name);
    await r.need(4);
    const nDims = r.u32();
    if (nDims > limits.maxDims) {
      throw new GgufPagerError('GGUF_LIMIT', `${src}: tensor '${name}' at byte ${at} has ${nDims} dimensions, over maxDims (${limits.maxDims})`, {
        source: src, tensor: name, offset: at, limit: 'maxDims', value: nDims,
      });
    }
    await r.need(nDims * 8 + 4 + 8);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      const v = r.u64();
      if (v > MAX_SAFE) {
        throw new GgufPagerError('GGUF_BAD_SHAPE', `${src}: tensor '${name}' at byte ${at} has dimension ${v}, beyond 2^53`, { source: src, tensor: name, offset: at, dim: v });
      }
      dims.push(Number(v));
    }
    const type = r.u32();
    const rel = r.u64();
    const { info, size } = withSource(src, at, () => ({ info: requireGgmlType(type, name), size: tensorByteSize(type, dims, name) }));
    if (rel > MAX_SAFE) {
      throw new GgufPagerError('GGUF_TENSOR_OUT_OF_BOUNDS', `${src}: tensor '${name}' has offset ${rel}, beyond 2^53`, { source: src, tensor: name, offset: rel });
    }
    out.push({ name, type, typeName: info.name, dims, relativeOffset: Number(rel), offset: 0, size, shard });
  }
  return out;
}

/** Re-throws a GgufPagerError with the source and header offset prefixed. */
function withSource<T>(src: string, at: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GgufPagerError) throw new GgufPagerError(e.code, `${src}: ${e.message} (tensor info at byte ${at})`, { ...e.details, source: src, offset: at });
    throw e;
  }
}

/**
 * Sets each tensor's absolute `offset` and checks the layout: offsets aligned,
 * every tensor inside the file, no two tensors sharing a byte.
 */
export function placeTensors(tensors: TensorInfo[], src: string, dataOffset: number, alignment: number, fileSize: number): void {
  for (const t of tensors) {
    if (t.relativeOffset % alignment !== 0) {
      throw new GgufPagerError('GGUF_MISALIGNED', `${src}: tensor '${t.name}' at data offset ${t.relativeOffset} is not aligned to ${alignment}`, {
        source: src, tensor: t.name, offset: t.relativeOffset, alignment,
      });
    }
    t.offset = dataOffset + t.relativeOffset;
    if (t.offset + t.size > fileSize) {
      throw new GgufPagerError(
        'GGUF_TENSOR_OUT_OF_BOUNDS',
        `${src}: tensor '${t.name}' spans bytes ${t.offset}..${t.offset + t.size}, past the end of the file (${fileSize})`,
        { source: src, tensor: t.name, offset: t.offset, size: t.size, fileSize },
      );
    }
  }
  const byOffset = tensors.filter((t) => t.size > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    const cur = byOffset[i];
    if (prev.offset + prev.size > cur.offset) {
      throw new GgufPagerError(
        'GGUF_TENSOR_OVERLAP',
        `${src}: tensor '${cur.name}' at byte ${cur.offset} overlaps '${prev.name}' (bytes ${prev.offset}..${prev.offset + prev.size})`,
        { source: src, tensor: cur.name, other: prev.name, offset: cur.offset },
      );
    }
  }
}
