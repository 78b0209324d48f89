/**
 * Writing one metadata value: inferring its GGUF type when the caller gave
 * none, checking that the value fits the type, and encoding it.
 *
 * Inference: string → STRING; boolean → BOOL; bigint → INT64 if negative else
 * UINT64; integer number → UINT32 / INT32 when it fits, else UINT64 / INT64
 * (FLOAT64 beyond 64 bits); other number → FLOAT32 when exact in 32 bits, else
 * FLOAT64 (so a value always reads back the same; pass FLOAT32 explicitly for
 * keys llama.cpp reads as f32, e.g. `…layer_norm_rms_epsilon`); array →
 * ARRAY of the type inferred for all its elements (UINT8 when empty; each
 * inner array of an array of arrays is inferred on its own).
 */
import { GgufPagerError } from '../errors.ts';
import type { ByteWriter } from './byte-writer.ts';
import { GgufValueType as T, type GgufTypeSpec, type GgufValue } from '../gguf/types.ts';

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

const INT_RANGE: Record<number, readonly [bigint, bigint]> = {
  [T.UINT8]: [0n, 255n],
  [T.INT8]: [-128n, 127n],
  [T.UINT16]: [0n, 65535n],
  [T.INT16]: [-32768n, 32767n],
  [T.UINT32]: [0n, 0xffffffffn],
  [T.INT32]: [-(1n << 31n), (1n << 31n) - 1n],
  [T.UINT64]: [0n, U64_MAX],
  [T.INT64]: [I64_MIN, I64_MAX],
};

function inferNumber(v: number): number {
  if (Number.isInteger(v)) {
    if (v >= 0 && v <= 0xffffffff) return T.UINT32;
    if (v < 0 && v >= -(2 ** 31)) return T.INT32;
    if (v > 0 && v <= 2 ** 64 - 1) return T.UINT64;
    if (v < 0 && v >= -(2 ** 63)) return T.INT64;
    return T.FLOAT64;
  }
  return Object.is(Math.fround(v), v) || Number.isNaN(v) ? T.FLOAT32 : T.FLOAT64;
}

/** The narrowest common type of an array's numbers (integers widen; any fraction makes it float). */
function inferNumbers(vs: readonly number[]): number {
  const types = new Set(vs.map(inferNumber));
  if (types.has(T.FLOAT64)) return T.FLOAT64;
  if (types.has(T.FLOAT32)) return vs.every((v) => Object.is(Math.fround(v), v) || Number.isNaN(v)) ? T.FLOAT32 : T.FLOAT64;
  let min = 0;
  let max = 0;
  for (const v of vs) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min >= 0) return max <= 0xffffffff ? T.UINT32 : T.UINT64;
  return min >= -(2 ** 31) && max <= 2 ** 31 - 1 ? T.INT32 : T.INT64;
}

export function inferSpec(value: GgufValue): GgufTypeSpec {
  if (typeof value === 'string') return T.STRING;
  if (typeof value === 'boolean') return T.BOOL;
  if (typeof value === 'bigint') return value < 0n ? T.INT64 : T.UINT64;
  if (typeof value === 'number') return inferNumber(value);
  if (value.length === 0) return { array: T.UINT8 };
  if (value.every((v) => typeof v === 'number')) return { array: inferNumbers(value as number[]) };
  if (value.every((v) => typeof v === 'bigint')) return { array: (value as bigint[]).some((v) => v < 0n) ? T.INT64 : T.UINT64 };
  if (value.every((v) => Array.isArray(v))) {
    const items = value.map(inferSpec);
    return { array: items[0], items };
  }
  return { array: inferSpec(value[0]) };
}

function bad(key: string, value: unknown, spec: GgufTypeSpec): GgufPagerError {
  const shown = typeof value === 'bigint' ? `${value}n` : Array.isArray(value) ? 'an array' : JSON.stringify(value);
  return new GgufPagerError('INVALID_ARGUMENT', `metadata '${key}': ${shown} cannot be written as GGUF type ${JSON.stringify(spec)}`, { key, spec });
}

function writeInteger(w: ByteWriter, key: string, v: GgufValue, type: number): void {
  if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) throw bad(key, v, type);
  const big = BigInt(v);
  const [lo, hi] = INT_RANGE[type];
  if (big < lo || big > hi) throw bad(key, v, type);
  switch (type) {
    case T.UINT8:
      w.u8(Number(big));
      break;
    case T.INT8:
      w.i8(Number(big));
      break;
    case T.UINT16:
      w.u16(Number(big));
      break;
    case T.INT16:
      w.i16(Number(big));
      break;
    case T.UINT32:
      w.u32(Number(big));
      break;
    case T.INT32:
      w.i32(Number(big));
      break;
    case T.UINT64:
      w.u64(big);
      break;
    default:
      w.i64(big);
  }
}

/** Writes the value's bytes (not its type tag) as `spec`. */
export function writeValue(w: ByteWriter, key: string, v: GgufValue, spec: GgufTypeSpec): void {
  if (typeof spec === 'object') return writeArray(w, key, v, spec);
  if (spec in INT_RANGE) return writeInteger(w, key, v, spec);
  switch (spec) {
    case T.FLOAT32:
    case T.FLOAT64:
      if (typeof v !== 'number') throw bad(key, v, spec);
      if (spec === T.FLOAT32) w.f32(v);
      else w.f64(v);
      return;
    case T.BOOL:
      if (typeof v !== 'boolean') throw bad(key, v, spec);
      w.u8(v ? 1 : 0);
      return;
    case T.STRING:
      if (typeof v !== 'string') throw bad(key, v, spec);
      w.str(v);
      return;
    default:
      throw bad(key, v, spec);
  }
}

function writeArray(w: ByteWriter, key: string, v: GgufValue, spec: { array: GgufTypeSpec; items?: GgufTypeSpec[] }): void {
  if (!Array.isArray(v)) throw bad(key, v, spec);
  const elem = spec.array;
  const nested = typeof elem === 'object';
  if (spec.items && spec.items.length !== v.length) throw bad(key, v, spec);
  w.u32(nested ? T.ARRAY : elem).u64(v.length);
  for (let i = 0; i < v.length; i++) writeValue(w, key, v[i], spec.items?.[i] ?? elem);
}
