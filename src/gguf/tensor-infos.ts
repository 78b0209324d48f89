/**
 * GGUF tensor infos, `tensor_count` entries after the metadata:
 *
 *   name: u64 length, UTF-8 | n_dims: u32 | dims: u64 × n_dims | type: u32 | offset: u64
 *
 * `offset` is relative to the tensor data section, which starts at the end of
 * the infos rounded up to `general.alignment`. The layout checks (alignment,
 * bounds, overlap) run once that start is known.
 */
import { GgufPagerError } from '../errors.ts';
import { requireGgmlType, tensorByteSize } from './ggml-types.ts';
import type { GgufLimits } from './limits.ts';
import { readString } from './metadata.ts';
import type { HeaderReader } from './reader.ts';
import { TensorTable } from './tensor-table.ts';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Smallest possible tensor info: name length (8), empty name, n_dims (4), type (4), offset (8). */
export const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

/**
 * Tensor infos into a TensorTable (typed arrays, tensor-table.ts), `offset`
 * still to be set by `placeTensors`. A name declared twice is found by the
 * table's index once all are read (no Set of names on the side).
 */
export async function readTensorInfos(r: HeaderReader, count: number, limits: GgufLimits, shard: number): Promise<TensorTable> {
  const src = r.source.name;
  const table = new TensorTable(count);
  const infoAt = new Float64Array(count);
  const dims: number[] = [];
  for (let i = 0; i < count; i++) {
    r.tail = (count - i - 1) * MIN_TENSOR_INFO_BYTES;
    const at = r.pos;
    infoAt[i] = at;
    const name = await readString(r, limits, 'maxNameLength', true, `tensor #${i}`);
    await r.need(4);
    const nDims = r.u32();
    if (nDims > limits.maxDims) {
      throw new GgufPagerError('GGUF_LIMIT', `${src}: tensor '${name}' at byte ${at} has ${nDims} dimensions, over maxDims (${limits.maxDims})`, {
        source: src,
        tensor: name,
        offset: at,
        limit: 'maxDims',
        value: nDims,
      });
    }
    await r.need(nDims * 8 + 4 + 8);
    dims.length = 0;
    for (let d = 0; d < nDims; d++) {
      const v = r.u64();
      if (v > MAX_SAFE) {
        throw new GgufPagerError('GGUF_BAD_SHAPE', `${src}: tensor '${name}' at byte ${at} has dimension ${v}, beyond 2^53`, {
          source: src,
          tensor: name,
          offset: at,
          dim: v,
        });
      }
      dims.push(Number(v));
    }
    const type = r.u32();
    const rel = r.u64();
    const size = withSource(src, at, () => (requireGgmlType(type, name), tensorByteSize(type, dims, name)));
    if (rel > MAX_SAFE) {
      throw new GgufPagerError('GGUF_TENSOR_OUT_OF_BOUNDS', `${src}: tensor '${name}' has offset ${rel}, beyond 2^53`, {
        source: src,
        tensor: name,
        offset: rel,
      });
    }
    table.push(name, type, dims, Number(rel), size, shard);
  }
  const dup = table.finish();
  if (dup) {
    const name = table.nameAt(dup[1]);
    throw new GgufPagerError('GGUF_DUPLICATE_TENSOR', `${src}: tensor '${name}' at byte ${infoAt[dup[1]]} is declared twice`, {
      source: src,
      tensor: name,
      offset: infoAt[dup[1]],
    });
  }
  return table;
}

/** Re-throws a GgufPagerError with the source and header offset prefixed. */
function withSource<T>(src: string, at: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GgufPagerError)
      throw new GgufPagerError(e.code, `${src}: ${e.message} (tensor info at byte ${at})`, { ...e.details, source: src, offset: at });
    throw e;
  }
}

/**
 * Sets each tensor's absolute `offset` and checks the layout: offsets aligned,
 * every tensor inside the file, no two tensors sharing a byte.
 */
export function placeTensors(t: TensorTable, src: string, dataOffset: number, alignment: number, fileSize: number): void {
  t.place(dataOffset);
  for (let i = 0; i < t.length; i++) {
    const rel = t.relativeOffsetAt(i);
    if (rel % alignment !== 0) {
      const name = t.nameAt(i);
      throw new GgufPagerError('GGUF_MISALIGNED', `${src}: tensor '${name}' at data offset ${rel} is not aligned to ${alignment}`, {
        source: src,
        tensor: name,
        offset: rel,
        alignment,
      });
    }
    const offset = t.offsetAt(i);
    const size = t.sizeAt(i);
    if (offset + size > fileSize) {
      const name = t.nameAt(i);
      throw new GgufPagerError(
        'GGUF_TENSOR_OUT_OF_BOUNDS',
        `${src}: tensor '${name}' spans bytes ${offset}..${offset + size}, past the end of the file (${fileSize})`,
        { source: src, tensor: name, offset, size, fileSize },
      );
    }
  }
  const byOffset = Uint32Array.from({ length: t.length }, (_, i) => i)
    .filter((i) => t.sizeAt(i) > 0)
    .sort((a, b) => t.offsetAt(a) - t.offsetAt(b));
  for (let k = 1; k < byOffset.length; k++) {
    const prev = byOffset[k - 1];
    const cur = byOffset[k];
    if (t.offsetAt(prev) + t.sizeAt(prev) > t.offsetAt(cur)) {
      const [name, other] = [t.nameAt(cur), t.nameAt(prev)];
      throw new GgufPagerError(
        'GGUF_TENSOR_OVERLAP',
        `${src}: tensor '${name}' at byte ${t.offsetAt(cur)} overlaps '${other}' (bytes ${t.offsetAt(prev)}..${t.offsetAt(prev) + t.sizeAt(prev)})`,
        { source: src, tensor: name, other, offset: t.offsetAt(cur) },
      );
    }
  }
}
