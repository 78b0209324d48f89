import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T, type GgufTypeSpec, type GgufValue } from '../../src/gguf/types.ts';
import { metadataEntries, writeGguf, type MetadataEntry } from '../../src/authoring/write.ts';
import { BytesSource } from '../cases/gguf-bytes-source.ts';
import { STORIES, TINY_LLAMA } from '../cases/gguf-fixtures.ts';

const parseBytes = (bytes: Uint8Array) => parseGguf(new BytesSource(bytes));

/** The type of an array holding one array of type `inner`. */
function nestedOnce(inner: GgufTypeSpec): GgufTypeSpec {
  return { array: inner, items: [inner] };
}

/** One entry per value type, with the extremes of each. */
const EVERY_TYPE: MetadataEntry[] = [
  ['u8.max', 255, T.UINT8],
  ['i8.min', -128, T.INT8],
  ['i8.max', 127, T.INT8],
  ['u16.max', 65535, T.UINT16],
  ['i16.min', -32768, T.INT16],
  ['u32.max', 4294967295, T.UINT32],
  ['i32.min', -2147483648, T.INT32],
  ['f32', Math.fround(1.1), T.FLOAT32],
  ['f32.negzero', -0, T.FLOAT32],
  ['f32.nan', NaN, T.FLOAT32],
  ['f32.inf', Infinity, T.FLOAT32],
  ['bool.true', true, T.BOOL],
  ['bool.false', false, T.BOOL],
  ['str', 'héllo ▁wörld 🦙', T.STRING],
  ['str.empty', '', T.STRING],
  ['str.bom', '\uFEFFx', T.STRING],
  ['u64.zero', 0, T.UINT64],
  ['u64.maxsafe', Number.MAX_SAFE_INTEGER, T.UINT64],
  ['u64.beyondsafe', 2n ** 53n, T.UINT64],
  ['u64.max', 2n ** 64n - 1n, T.UINT64],
  ['i64.min', -(2n ** 63n), T.INT64],
  ['i64.max', 2n ** 63n - 1n, T.INT64],
  ['i64.minsafe', -Number.MAX_SAFE_INTEGER, T.INT64],
  ['f64.pi', Math.PI, T.FLOAT64],
  ['f64.tiny', Number.MIN_VALUE, T.FLOAT64],
  ['f64.neginf', -Infinity, T.FLOAT64],
  ['arr.u8', [0, 1, 255], { array: T.UINT8 }],
  ['arr.i16', [-32768, 32767], { array: T.INT16 }],
  ['arr.f32', [0.5, -2.25], { array: T.FLOAT32 }],
  ['arr.bool', [true, false, true], { array: T.BOOL }],
  ['arr.str', ['a', '', 'ü'], { array: T.STRING }],
  ['arr.u64', [1, 2n ** 64n - 1n], { array: T.UINT64 }],
  ['arr.i64', [-(2n ** 63n), -1], { array: T.INT64 }],
  ['arr.f64', [Math.E], { array: T.FLOAT64 }],
  ['arr.empty', [], { array: T.INT32 }],
  ['arr.nested', [[1, 2], ['x'], []], { array: { array: T.UINT16 }, items: [{ array: T.UINT16 }, { array: T.STRING }, { array: T.BOOL }] }],
  ['arr.deep', [[[[7]]]], nestedOnce(nestedOnce(nestedOnce({ array: T.INT8 })))],
  ['__proto__', 'data, not a prototype', T.STRING],
  ['constructor', 1, T.UINT8],
  ['hasOwnProperty', [true], { array: T.BOOL }],
];

function expectSameValue(actual: GgufValue | undefined, expected: GgufValue, key: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), key).toBe(true);
    expect((actual as GgufValue[]).length, key).toBe(expected.length);
    expected.forEach((v, i) => expectSameValue((actual as GgufValue[])[i], v, `${key}[${i}]`));
    return;
  }
  expect(Object.is(actual, expected), `${key}: ${String(actual)} vs ${String(expected)}`).toBe(true);
}

describe('writing a GGUF file and parsing it back', () => {
  it('gives back every metadata value type with its extremes, exactly, with its type', async () => {
    const model = await parseBytes(writeGguf({ metadata: EVERY_TYPE }));
    expect([...model.metadata.keys()]).toEqual(EVERY_TYPE.map(([k]) => k));
    for (const [key, value, type] of EVERY_TYPE) {
      expectSameValue(model.metadata.get(key), value, key);
      expect(model.metadataArrayTypes?.get(key) ?? model.metadataTypes.get(key), key).toEqual(type);
    }
  });

  it('returns 64-bit integers as Numbers when exact and as bigints beyond 2^53', async () => {
    const model = await parseBytes(writeGguf({ metadata: EVERY_TYPE }));
    expect(typeof model.metadata.get('u64.maxsafe')).toBe('number');
    expect(typeof model.metadata.get('u64.beyondsafe')).toBe('bigint');
    expect(typeof model.metadata.get('i64.minsafe')).toBe('number');
    expect(model.metadata.get('i64.min')).toBe(-(2n ** 63n));
  });

  it('keeps keys such as __proto__ and constructor as plain data', async () => {
    const model = await parseBytes(writeGguf({ metadata: EVERY_TYPE }));
    expect(model.metadata.get('__proto__')).toBe('data, not a prototype');
    expect(model.metadata.get('constructor')).toBe(1);
    expect(({} as Record<string, unknown>).hasOwnProperty).toBe(Object.prototype.hasOwnProperty);
  });

  it('writes the same bytes again from what it parsed', async () => {
    const first = writeGguf({ metadata: EVERY_TYPE });
    const again = writeGguf({ metadata: metadataEntries(await parseBytes(first)) });
    expect(again).toEqual(first);
  });

  it('places tensor data at aligned offsets and reads back the shapes, types and bytes', async () => {
    const q8 = Uint8Array.from({ length: 34 * 4 }, (_, i) => i & 0xff);
    const f16 = Uint8Array.from({ length: 2 * 6 }, (_, i) => 200 - i);
    const bytes = writeGguf({
      alignment: 64,
      metadata: [['general.architecture', 'llama']],
      tensors: [
        { name: 'a', type: 'Q8_0', dims: [64, 2], data: q8 },
        { name: 'b', type: 1, dims: [3, 2], data: f16 },
        { name: 'c', type: 'F32', dims: [5] },
      ],
    });
    const model = await parseBytes(bytes);
    expect(model.alignment).toBe(64);
    expect(model.metadata.get('general.alignment')).toBe(64);
    expect(model.tensors.map((t) => [t.name, t.typeName, t.dims, t.size])).toEqual([
      ['a', 'Q8_0', [64, 2], 136],
      ['b', 'F16', [3, 2], 12],
      ['c', 'F32', [5], 20],
    ]);
    for (const t of model.tensors) expect(t.offset % 64).toBe(0);
    expect(bytes.subarray(model.tensors[0].offset, model.tensors[0].offset + 136)).toEqual(q8);
    expect(bytes.subarray(model.tensors[1].offset, model.tensors[1].offset + 12)).toEqual(f16);
    expect(bytes.subarray(model.tensors[2].offset, model.tensors[2].offset + 20)).toEqual(new Uint8Array(20));
    expect(bytes.length % 64).toBe(0);
  });

  it('writes and reads GGUF version 2', async () => {
    const model = await parseBytes(writeGguf({ version: 2, metadata: [['k', 1, T.UINT32]] }));
    expect(model.version).toBe(2);
    expect(model.metadata.get('k')).toBe(1);
  });

  it('infers types for a Map: u32/i32 for small integers, f32 only when exact, u64/i64 for bigints', async () => {
    const model = await parseBytes(
      writeGguf({
        metadata: new Map<string, GgufValue>([
          ['a', 7],
          ['b', -7],
          ['c', 0.5],
          ['d', 1e-5],
          ['e', 2n ** 60n],
          ['f', -1n],
          ['g', [1, -1]],
          ['h', [[1], ['s']]],
        ]),
      }),
    );
    expect(Object.fromEntries(model.metadataTypes)).toEqual({
      a: T.UINT32,
      b: T.INT32,
      c: T.FLOAT32,
      d: T.FLOAT64,
      e: T.UINT64,
      f: T.INT64,
      g: T.ARRAY,
      h: T.ARRAY,
    });
    expect(model.metadata.get('d')).toBe(1e-5);
    expect(model.metadataArrayTypes?.get('g')).toEqual({ array: T.INT32 });
    expect(model.metadata.get('h')).toEqual([[1], ['s']]);
  });

  it('refuses a value that does not fit its declared type, naming the key', () => {
    expect(() => writeGguf({ metadata: [['small', 256, T.UINT8]] })).toThrow(/'small'/);
    expect(() => writeGguf({ metadata: [['neg', -1n, T.UINT64]] })).toThrow(/'neg'/);
    expect(() => writeGguf({ metadata: [['s', 1, T.STRING]] })).toThrow(/'s'/);
    expect(() => writeGguf({ tensors: [{ name: 't', type: 'F32', dims: [2], data: new Uint8Array(7) }] })).toThrow(/'t'.*7/);
  });

  for (const path of [STORIES, TINY_LLAMA]) {
    it(`rewrites ${path.split('/').pop()} byte for byte from its parsed header and tensor data`, async () => {
      const original = new Uint8Array(readFileSync(path));
      const model = await parseBytes(original);
      const rewritten = writeGguf({
        alignment: model.alignment,
        metadata: metadataEntries(model),
        tensors: model.tensors.map((t) => ({ name: t.name, type: t.type, dims: t.dims, data: original.subarray(t.offset, t.offset + t.size) })),
      });
      expect(rewritten.length).toBe(original.length);
      expect(Buffer.compare(rewritten, original)).toBe(0);
    });
  }
});
