/**
 * GGUF header parser for one file. Reads the front of a source incrementally (see
 * reader.ts), never the tensor data, and returns the tensor map.
 *
 *   offset 0   magic "GGUF" (47 47 55 46)
 *          4   version: u32 (2 or 3; 1 is refused; a byte-swapped version means
 *              a big-endian file: refused with GGUF_BIG_ENDIAN)
 *          8   tensor_count: u64
 *         16   kv_count: u64
 *         24   metadata (metadata.ts), then tensor infos (tensor-infos.ts)
 *    aligned   tensor data, at the end of the infos rounded up to general.alignment (default 32)
 */
import { GgufPagerError } from '../errors.ts';
import type { PagerSource } from '../sources/source.ts';
import { resolveLimits, type GgufLimits } from './limits.ts';
import { readMetadata } from './metadata.ts';
import { DEFAULT_INITIAL_READ, HeaderReader } from './reader.ts';
import { MIN_TENSOR_INFO_BYTES, placeTensors, readTensorInfos } from './tensor-infos.ts';
import { list } from './tensor-table.ts';
import type { GgufModel, GgufValue } from './types.ts';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;

export interface ParseOptions {
  limits?: Partial<GgufLimits>;
  signal?: AbortSignal;
  /** Bytes of the first read (default 64 KiB); later reads double the window. */
  initialReadBytes?: number;
}

export interface ParseStats {
  /** Bytes the parser fetched from the source. */
  bytesRead: number;
}

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

async function readPreamble(r: HeaderReader, limits: GgufLimits): Promise<{ version: number; tensorCount: number; kvCount: number }> {
  const src = r.source.name;
  r.tail = 16;
  await r.need(8);
  const magic = r.u32();
  if (magic !== GGUF_MAGIC) {
    throw new GgufPagerError('GGUF_BAD_MAGIC', `${src}: not a GGUF file (magic 0x${bswap32(magic).toString(16).padStart(8, '0')} at byte 0)`, {
      source: src,
      offset: 0,
    });
  }
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    if (version === 1)
      throw new GgufPagerError('GGUF_UNSUPPORTED_VERSION', `${src}: GGUF version 1 is not supported (byte 4)`, { source: src, offset: 4, version });
    const swapped = bswap32(version);
    if (swapped >= 1 && swapped <= 3) {
      throw new GgufPagerError('GGUF_BIG_ENDIAN', `${src}: big-endian GGUF (version ${swapped} byte-swapped at byte 4) is not supported`, {
        source: src,
        offset: 4,
        version: swapped,
      });
    }
    throw new GgufPagerError('GGUF_UNSUPPORTED_VERSION', `${src}: unknown GGUF version ${version} at byte 4`, { source: src, offset: 4, version });
  }
  r.tail = 0;
  await r.need(16);
  const tensorCount = r.u64();
  const kvCount = r.u64();
  checkCount(src, tensorCount, limits.maxTensorCount, 'maxTensorCount', 'tensor_count', 8);
  checkCount(src, kvCount, limits.maxKeyCount, 'maxKeyCount', 'kv_count', 16);
  return { version, tensorCount: Number(tensorCount), kvCount: Number(kvCount) };
}

function checkCount(src: string, n: bigint, max: number, limit: keyof GgufLimits, field: string, offset: number): void {
  if (n > BigInt(max)) {
    throw new GgufPagerError('GGUF_LIMIT', `${src}: ${field} ${n} at byte ${offset} exceeds ${limit} (${max})`, { source: src, offset, limit, value: n });
  }
}

function alignmentOf(src: string, metadata: Map<string, GgufValue>, types: Map<string, number>): number {
  if (!metadata.has('general.alignment')) return GGUF_DEFAULT_ALIGNMENT;
  const a = metadata.get('general.alignment');
  const type = types.get('general.alignment');
  const integerType = type !== undefined && type <= 11 && type !== 6 && type !== 7 && type !== 8 && type !== 9;
  if (!integerType || typeof a !== 'number' || a <= 0 || a > 2 ** 30 || (a & (a - 1)) !== 0) {
    throw new GgufPagerError('GGUF_BAD_ALIGNMENT', `${src}: general.alignment ${String(a)} is not a power of two between 1 and 2^30`, {
      source: src,
      alignment: a,
      type,
    });
  }
  return a;
}

/** Parses one file as it stands (no split.* checks). `stats` receives the bytes read. */
export async function parseGgufFile(source: PagerSource, opts: ParseOptions = {}, stats?: ParseStats): Promise<GgufModel> {
  const limits = resolveLimits(opts.limits);
  const r = new HeaderReader(source, limits.maxHeaderBytes, opts.initialReadBytes ?? DEFAULT_INITIAL_READ, opts.signal);
  try {
    const { version, tensorCount, kvCount } = await readPreamble(r, limits);
    const { metadata, types, arrayTypes } = await readMetadata(r, kvCount, limits, tensorCount * MIN_TENSOR_INFO_BYTES);
    const alignment = alignmentOf(source.name, metadata, types);
    const table = await readTensorInfos(r, tensorCount, limits, 0);
    const tensorDataOffset = Math.ceil(r.pos / alignment) * alignment;
    placeTensors(table, source.name, tensorDataOffset, alignment, source.size);
    let totalTensorBytes = 0;
    for (let i = 0; i < table.length; i++) totalTensorBytes += table.sizeAt(i);
    const tensors = list(table);
    return {
      version,
      alignment,
      tensorDataOffset,
      fileSize: source.size,
      metadata,
      metadataTypes: types,
      metadataArrayTypes: arrayTypes,
      tensors,
      shards: [{ name: source.name, version, alignment, tensorDataOffset, fileSize: source.size }],
      totalTensorBytes,
    };
  } finally {
    if (stats) stats.bytesRead = r.bytesRead;
  }
}
