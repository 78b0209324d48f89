/**
 * GGUF writer (little-endian, version 3 unless asked for 2), laid out as
 * llama.cpp lays it out:
 *
 *   [ "GGUF" | version | tensor_count | kv_count | metadata | tensor infos | pad ]
 *   [ tensor 0 | pad | tensor 1 | pad | … | tensor n-1 | pad ]
 *     ^ tensorDataOffset: every tensor and the data section start on `alignment`
 *
 * `ggufHeaderBytes` returns the header (padding included) and where each
 * tensor's bytes go, so a large model can be written tensor by tensor without
 * holding it; `writeGguf` builds a whole file in memory.
 */
import { GgufPagerError } from '../errors.ts';
import { ByteWriter } from './byte-writer.ts';
import { ggmlTypeByName, requireGgmlType, tensorByteSize, type GgmlTypeName } from '../gguf/ggml-types.ts';
import { GgufValueType, type GgufModel, type GgufTypeSpec, type GgufValue, type TensorInfo } from '../gguf/types.ts';
import { inferSpec, writeValue } from './write-value.ts';

export type MetadataEntry = readonly [key: string, value: GgufValue, type?: GgufTypeSpec];

export interface GgufWriteTensor {
  name: string;
  /** ggml type id or name (`8` or `'Q8_0'`). */
  type: number | GgmlTypeName;
  dims: readonly number[];
  /** Exactly the tensor's byte size; zeros when absent. */
  data?: Uint8Array;
}

export interface GgufWriteInput {
  /** Entries in file order; a Map's value types are inferred (write-value.ts). */
  metadata?: readonly MetadataEntry[] | ReadonlyMap<string, GgufValue>;
  tensors?: readonly GgufWriteTensor[];
  /** Power of two; default 32. Written as `general.alignment` when not 32 and not in the metadata. */
  alignment?: number;
  version?: 2 | 3;
}

/** Where the writer puts a tensor: a TensorInfo of a single-file model. */
export type GgufTensorPlacement = Omit<TensorInfo, 'shard'>;

export interface GgufLayout {
  /** Bytes [0, tensorDataOffset): header and padding. */
  header: Uint8Array<ArrayBuffer>;
  tensorDataOffset: number;
  alignment: number;
  tensors: GgufTensorPlacement[];
  /** Total file size, padding after the last tensor included. */
  fileSize: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function entriesOf(input: GgufWriteInput, alignment: number): MetadataEntry[] {
  const entries: MetadataEntry[] = input.metadata instanceof Map ? [...input.metadata.entries()] : [...((input.metadata ?? []) as readonly MetadataEntry[])];
  const keys = new Set<string>();
  for (const [key] of entries) {
    if (keys.has(key)) throw new GgufPagerError('INVALID_ARGUMENT', `metadata key '${key}' given twice`, { key });
    keys.add(key);
  }
  if (alignment !== 32 && !keys.has('general.alignment')) entries.push(['general.alignment', alignment, GgufValueType.UINT32]);
  return entries;
}

function placeAll(tensors: readonly GgufWriteTensor[], alignment: number): GgufTensorPlacement[] {
  let rel = 0;
  return tensors.map((t) => {
    const info = typeof t.type === 'string' ? ggmlTypeByName(t.type) : requireGgmlType(t.type, t.name);
    if (!info) throw new GgufPagerError('GGUF_UNKNOWN_TYPE', `unknown ggml type name '${t.type}' of tensor '${t.name}'`, { tensor: t.name, type: t.type });
    const size = tensorByteSize(info.id, t.dims, t.name);
    if (t.data && t.data.length !== size) {
      throw new GgufPagerError('INVALID_ARGUMENT', `tensor '${t.name}' has ${t.data.length} data bytes, its shape needs ${size}`, {
        tensor: t.name,
        size,
        given: t.data.length,
      });
    }
    const placed = { name: t.name, type: info.id, typeName: info.name, dims: [...t.dims], relativeOffset: rel, offset: 0, size };
    rel = alignUp(rel + size, alignment);
    return placed;
  });
}

/** The header bytes and the position of every tensor's data. */
export function ggufHeaderBytes(input: GgufWriteInput): GgufLayout {
  const alignment = input.alignment ?? 32;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufPagerError('GGUF_BAD_ALIGNMENT', `alignment ${alignment} is not a power of two`, { alignment });
  }
  const entries = entriesOf(input, alignment);
  const tensors = placeAll(input.tensors ?? [], alignment);
  const w = new ByteWriter();
  w.u32(0x46554747)
    .u32(input.version ?? 3)
    .u64(tensors.length)
    .u64(entries.length);
  for (const [key, value, type] of entries) {
    const spec = type ?? inferSpec(value);
    w.str(key).u32(typeof spec === 'object' ? GgufValueType.ARRAY : spec);
    writeValue(w, key, value, spec);
  }
  for (const t of tensors) {
    w.str(t.name).u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type).u64(t.relativeOffset);
  }
  w.pad(alignment);
  const header = w.finish();
  for (const t of tensors) t.offset = header.length + t.relativeOffset;
  const last = tensors[tensors.length - 1];
  const fileSize = last ? alignUp(last.offset + last.size, alignment) : header.length;
  return { header, tensorDataOffset: header.length, alignment, tensors, fileSize };
}

/** A whole GGUF file in memory (tensors without `data` are zeros). */
export function writeGguf(input: GgufWriteInput): Uint8Array<ArrayBuffer> {
  const layout = ggufHeaderBytes(input);
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.header, 0);
  (input.tensors ?? []).forEach((t, i) => {
    if (t.data) out.set(t.data, layout.tensors[i].offset);
  });
  return out;
}

/**
 * A parsed model's metadata as writer entries, with the types it was read with.
 * @internal not part of the package's API (authoring tools and tests)
 */
export function metadataEntries(model: Pick<GgufModel, 'metadata' | 'metadataTypes' | 'metadataArrayTypes'>): MetadataEntry[] {
  return [...model.metadata.entries()].map(([key, value]) => {
    const type = model.metadataTypes.get(key);
    return [key, value, model.metadataArrayTypes?.get(key) ?? (type === GgufValueType.ARRAY ? undefined : type)];
  });
}
