/**
 * GGUF metadata: `kv_count` entries of
 *
 *   key: u64 length, UTF-8 bytes | value type: u32 | value
 *
 * where an ARRAY value is `element type: u32 | count: u64 | count elements`
 * (elements may themselves be arrays). Every length and count is checked
 * against the limits before a byte is read or an element is created.
 */
import { GgufPagerError } from '../errors.ts';
import { GgufValueType, type GgufTypeSpec, type GgufValue } from './types.ts';
import type { GgufLimits } from './limits.ts';
import { exactInteger, type HeaderReader } from './reader.ts';

/** Smallest possible key/value: key length (8), empty key, type (4), a 1-byte value. */
export const MIN_KV_BYTES = 8 + 4 + 1;
/** Smallest possible array element of a variable-size type: a string's length, or an inner array's type and count. */
const MIN_STRING_BYTES = 8;
const MIN_ARRAY_BYTES = 4 + 8;

export interface ParsedMetadata {
  metadata: Map<string, GgufValue>;
  types: Map<string, number>;
  arrayTypes: Map<string, GgufTypeSpec>;
}

/** Bytes of one element of a fixed-size value type; 0 for STRING and ARRAY; undefined if unknown. */
export function valueTypeSize(type: number): number | undefined {
  switch (type) {
    case GgufValueType.UINT8:
    case GgufValueType.INT8:
    case GgufValueType.BOOL:
      return 1;
    case GgufValueType.UINT16:
    case GgufValueType.INT16:
      return 2;
    case GgufValueType.UINT32:
    case GgufValueType.INT32:
    case GgufValueType.FLOAT32:
      return 4;
    case GgufValueType.UINT64:
    case GgufValueType.INT64:
    case GgufValueType.FLOAT64:
      return 8;
    case GgufValueType.STRING:
    case GgufValueType.ARRAY:
      return 0;
    default:
      return undefined;
  }
}

interface Ctx {
  r: HeaderReader;
  limits: GgufLimits;
  key: string;
}

function where(ctx: Ctx): string {
  return `${ctx.r.source.name}: metadata '${ctx.key}' at byte ${ctx.r.pos}`;
}

function limitError(ctx: Ctx, limit: keyof GgufLimits, value: number | bigint, what: string): GgufPagerError {
  return new GgufPagerError('GGUF_LIMIT', `${where(ctx)}: ${what} ${value} exceeds ${limit} (${ctx.limits[limit]})`, {
    source: ctx.r.source.name,
    key: ctx.key,
    offset: ctx.r.pos,
    limit,
    value,
  });
}

/** Reads a u64 length and checks it against `limit` before converting it to a Number. */
async function readLength(ctx: Ctx, limit: keyof GgufLimits, what: string): Promise<number> {
  await ctx.r.need(8);
  const n = ctx.r.u64();
  if (n > BigInt(ctx.limits[limit])) {
    ctx.r.pos -= 8;
    throw limitError(ctx, limit, n, what);
  }
  return Number(n);
}

/** A GGUF string. `strict` (keys, names) rejects malformed UTF-8 with GGUF_BAD_STRING. */
export async function readString(
  r: HeaderReader,
  limits: GgufLimits,
  limit: 'maxStringLength' | 'maxNameLength',
  strict: boolean,
  key: string,
): Promise<string> {
  const ctx: Ctx = { r, limits, key };
  const n = await readLength(ctx, limit, 'string length');
  const start = r.pos;
  await r.need(n);
  const s = r.utf8(n, strict);
  if (s === undefined) {
    throw new GgufPagerError('GGUF_BAD_STRING', `${r.source.name}: string at byte ${start} (${key}) is not valid UTF-8`, {
      source: r.source.name,
      offset: start,
      key,
    });
  }
  return s;
}

/** A value string when it is wholly loaded and within limits (the common case, without an await); else undefined. */
function readLoadedString(ctx: Ctx): string | undefined {
  const r = ctx.r;
  if (r.available < 8) return undefined;
  const n = r.u64();
  r.pos -= 8;
  if (n > BigInt(ctx.limits.maxStringLength) || Number(n) > r.available - 8) return undefined;
  r.pos += 8;
  return r.utf8(Number(n), false);
}

function badType(ctx: Ctx, type: number): GgufPagerError {
  return new GgufPagerError('GGUF_BAD_VALUE_TYPE', `${where(ctx)}: unknown value type ${type}`, {
    source: ctx.r.source.name,
    key: ctx.key,
    offset: ctx.r.pos,
    type,
  });
}

/** One fixed-size scalar; the caller has made its bytes readable. */
function readScalar(r: HeaderReader, type: number): GgufValue {
  switch (type) {
    case GgufValueType.UINT8:
      return r.u8();
    case GgufValueType.INT8:
      return r.i8();
    case GgufValueType.UINT16:
      return r.u16();
    case GgufValueType.INT16:
      return r.i16();
    case GgufValueType.UINT32:
      return r.u32();
    case GgufValueType.INT32:
      return r.i32();
    case GgufValueType.FLOAT32:
      return r.f32();
    case GgufValueType.BOOL:
      return r.u8() !== 0;
    case GgufValueType.UINT64:
      return exactInteger(r.u64());
    case GgufValueType.INT64:
      return exactInteger(r.i64());
    default:
      return r.f64(); // FLOAT64: the only fixed-size type left
  }
}

interface Read {
  value: GgufValue;
  spec: GgufTypeSpec;
}

async function readValue(ctx: Ctx, type: number, depth: number): Promise<Read> {
  const size = valueTypeSize(type);
  if (size === undefined) throw badType(ctx, type);
  if (size > 0) {
    await ctx.r.need(size);
    return { value: readScalar(ctx.r, type), spec: type };
  }
  if (type === GgufValueType.STRING) {
    return { value: await readString(ctx.r, ctx.limits, 'maxStringLength', false, ctx.key), spec: type };
  }
  return readArray(ctx, depth + 1);
}

async function readArray(ctx: Ctx, depth: number): Promise<Read> {
  if (depth > ctx.limits.maxArrayDepth) throw limitError(ctx, 'maxArrayDepth', depth, 'array nesting depth');
  await ctx.r.need(4);
  const elemType = ctx.r.u32();
  const size = valueTypeSize(elemType);
  if (size === undefined) throw badType(ctx, elemType);
  const count = await readLength(ctx, 'maxArrayLength', 'array length');
  const out: GgufValue[] = [];
  if (size > 0) {
    await ctx.r.need(count * size); // bounded by maxArrayLength × 8 and by maxHeaderBytes
    for (let i = 0; i < count; i++) out.push(readScalar(ctx.r, elemType));
    return { value: out, spec: { array: elemType } };
  }
  const outer = ctx.r.tail;
  if (elemType === GgufValueType.STRING) {
    for (let i = 0; i < count; i++) {
      ctx.r.tail = outer + (count - i - 1) * MIN_STRING_BYTES;
      out.push(readLoadedString(ctx) ?? (await readString(ctx.r, ctx.limits, 'maxStringLength', false, ctx.key)));
    }
    ctx.r.tail = outer;
    return { value: out, spec: { array: elemType } };
  }
  const items: GgufTypeSpec[] = [];
  for (let i = 0; i < count; i++) {
    ctx.r.tail = outer + (count - i - 1) * MIN_ARRAY_BYTES;
    const el = await readArray(ctx, depth + 1);
    items.push(el.spec);
    out.push(el.value);
  }
  ctx.r.tail = outer;
  return { value: out, spec: { array: items[0] ?? { array: GgufValueType.UINT8 }, items } };
}

/**
 * Reads `count` key/value pairs (the count already checked against maxKeyCount).
 * `after`: the fewest header bytes that follow the metadata (see reader.ts).
 */
export async function readMetadata(r: HeaderReader, count: number, limits: GgufLimits, after: number): Promise<ParsedMetadata> {
  const result: ParsedMetadata = { metadata: new Map(), types: new Map(), arrayTypes: new Map() };
  for (let i = 0; i < count; i++) {
    r.tail = after + (count - i - 1) * MIN_KV_BYTES;
    const keyAt = r.pos;
    const key = await readString(r, limits, 'maxNameLength', true, `#${i}`);
    if (result.metadata.has(key)) {
      throw new GgufPagerError('GGUF_DUPLICATE_KEY', `${r.source.name}: metadata key '${key}' at byte ${keyAt} appears twice`, {
        source: r.source.name,
        key,
        offset: keyAt,
      });
    }
    const ctx: Ctx = { r, limits, key };
    await r.need(4);
    const type = r.u32();
    const { value, spec } = await readValue(ctx, type, 0);
    result.metadata.set(key, value);
    result.types.set(key, type);
    if (typeof spec === 'object') result.arrayTypes.set(key, spec);
  }
  return result;
}
