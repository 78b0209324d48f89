/**
 * The tensor table of a parsed GGUF, in typed arrays: a million tensors cost
 * bytes (about 60 + their name each), not a million objects. A header can
 * declare 2^20 tensors (limits.ts); as objects that was about a gigabyte of
 * heap, as this table it is about its own size on disk.
 *
 *   tensor i    names[nameStart[i] .. nameStart[i+1])   UTF-8 name
 *               dims[dimStart[i] .. dimStart[i+1])     ne[0] first
 *               type[i] u16 · shard[i] u16 · size[i] · offset[i] · rel[i] (f64)
 *   index       open addressing over FNV-1a of the name bytes: slot → i + 1 (0 empty)
 *
 * `list(table)` is the table seen as `readonly TensorInfo[]` (a Proxy over an
 * empty array): index, `length`, iteration and every array method work, each
 * element made on access (a short-lived object), so the code that reads
 * `model.tensors` is unchanged. `tableOf(list)` gets the table back for the
 * paths that want no objects at all (`indexOf`, `nameAt`, `sizeAt`).
 */
import { GgufPagerError } from '../errors.ts';
import { ggmlTypeInfo } from './ggml-types.ts';
import type { TensorInfo } from './types.ts';

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();
const TABLE = Symbol('tensorTable');

export class TensorTable {
  length = 0;
  private names: Uint8Array;
  private nameStart: Uint32Array;
  private dims: Float64Array;
  private dimStart: Uint32Array;
  private readonly type: Uint16Array;
  private readonly shardOf: Uint16Array;
  private readonly sizes: Float64Array;
  private readonly offsets: Float64Array;
  private readonly rel: Float64Array;
  private slots = new Int32Array(0);
  /** Type names that are not ggml's name for their id (hand-built tables only). */
  private readonly typeNames = new Map<number, string>();

  constructor(readonly capacity: number) {
    this.names = new Uint8Array(Math.max(64, capacity * 16));
    this.nameStart = new Uint32Array(capacity + 1);
    this.dims = new Float64Array(Math.max(4, capacity * 2));
    this.dimStart = new Uint32Array(capacity + 1);
    this.type = new Uint16Array(capacity);
    this.shardOf = new Uint16Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.offsets = new Float64Array(capacity);
    this.rel = new Float64Array(capacity);
  }

  /** A table holding `infos` (hand-built models, tests). */
  static from(infos: readonly TensorInfo[]): TensorTable {
    const t = new TensorTable(infos.length);
    for (const x of infos) {
      const i = t.push(x.name, x.type, x.dims, x.relativeOffset, x.size, x.shard);
      t.offsets[i] = x.offset;
      if (ggmlTypeInfo(x.type)?.name !== x.typeName) t.typeNames.set(x.type, x.typeName);
    }
    t.finish();
    return t;
  }

  /** Appends a tensor (its absolute offset is set by `place`); returns its index. */
  push(name: string, type: number, dims: readonly number[], relativeOffset: number, size: number, shard: number): number {
    const i = this.length;
    if (i >= this.capacity) throw new RangeError(`tensor table: more than ${this.capacity} tensors`);
    const bytes = ENCODER.encode(name);
    const at = this.nameStart[i];
    if (at + bytes.length > this.names.length) this.names = grow(this.names, at + bytes.length);
    this.names.set(bytes, at);
    this.nameStart[i + 1] = at + bytes.length;
    const d = this.dimStart[i];
    if (d + dims.length > this.dims.length) this.dims = grow(this.dims, d + dims.length);
    this.dims.set(dims, d);
    this.dimStart[i + 1] = d + dims.length;
    this.type[i] = type;
    this.shardOf[i] = shard;
    this.sizes[i] = size;
    this.rel[i] = relativeOffset;
    this.length = i + 1;
    return i;
  }

  /**
   * Trims the buffers to what they hold and builds the name index. Returns
   * [first, second] indices of a name declared twice, or undefined.
   */
  finish(): [number, number] | undefined {
    this.names = this.names.slice(0, this.nameStart[this.length]);
    this.dims = this.dims.slice(0, this.dimStart[this.length]);
    let size = 4;
    while (size < this.length * 2) size *= 2;
    this.slots = new Int32Array(size);
    for (let i = 0; i < this.length; i++) {
      const s = this.findSlot(this.names, this.nameStart[i], this.nameStart[i + 1]);
      if (this.slots[s] !== 0) return [this.slots[s] - 1, i];
      this.slots[s] = i + 1;
    }
    return undefined;
  }

  /** Index of the tensor named `name`, or -1. */
  indexOf(name: string): number {
    const bytes = ENCODER.encode(name);
    return this.slots[this.findSlot(bytes, 0, bytes.length)] - 1;
  }

  nameAt(i: number): string {
    const a = this.nameStart[i];
    const b = this.nameStart[i + 1];
    if (b - a <= 64) {
      let ascii = true;
      for (let k = a; k < b; k++)
        if (this.names[k] >= 0x80) {
          ascii = false;
          break;
        }
      if (ascii) return String.fromCharCode.apply(null, this.names.subarray(a, b) as unknown as number[]);
    }
    return DECODER.decode(this.names.subarray(a, b));
  }

  sizeAt(i: number): number {
    return this.sizes[i];
  }
  offsetAt(i: number): number {
    return this.offsets[i];
  }
  relativeOffsetAt(i: number): number {
    return this.rel[i];
  }
  typeAt(i: number): number {
    return this.type[i];
  }
  shardAt(i: number): number {
    return this.shardOf[i];
  }

  dimsAt(i: number): number[] {
    return Array.from(this.dims.subarray(this.dimStart[i], this.dimStart[i + 1]));
  }

  typeNameAt(i: number): string {
    const id = this.type[i];
    return this.typeNames.get(id) ?? ggmlTypeInfo(id)?.name ?? `type ${id}`;
  }

  /** Tensor `i` as an object (made now; changing it changes nothing in the table). */
  at(i: number): TensorInfo | undefined {
    if (i < 0) i += this.length;
    if (!(i >= 0 && i < this.length)) return undefined;
    return {
      name: this.nameAt(i),
      type: this.type[i],
      typeName: this.typeNameAt(i),
      dims: this.dimsAt(i),
      relativeOffset: this.rel[i],
      offset: this.offsets[i],
      size: this.sizes[i],
      shard: this.shardOf[i],
    };
  }

  /** Sets every absolute offset: `dataOffset` + the relative one. */
  place(dataOffset: number): void {
    for (let i = 0; i < this.length; i++) this.offsets[i] = dataOffset + this.rel[i];
  }

  /** The tables of a split model's shards (named `sources`) as one, tensor shards set to their table's index. */
  static concat(tables: readonly TensorTable[], sources: readonly string[]): TensorTable {
    const t = new TensorTable(tables.reduce((n, x) => n + x.length, 0));
    tables.forEach((x, s) => {
      for (let i = 0; i < x.length; i++) {
        const k = t.push(x.nameAt(i), x.type[i], x.dimsAt(i), x.rel[i], x.sizes[i], s);
        t.offsets[k] = x.offsets[i];
      }
      for (const [id, name] of x.typeNames) t.typeNames.set(id, name);
    });
    const dup = t.finish();
    if (dup) {
      const name = t.nameAt(dup[1]);
      const [a, b] = [t.shardOf[dup[0]], t.shardOf[dup[1]]];
      throw new GgufPagerError('GGUF_DUPLICATE_TENSOR', `tensor '${name}' is in shard ${a} (${sources[a]}) and in shard ${b} (${sources[b]})`, {
        tensor: name,
        shards: [a, b],
      });
    }
    return t;
  }

  /** Bytes held (typed arrays), for tests and stats. */
  get byteLength(): number {
    return [this.names, this.nameStart, this.dims, this.dimStart, this.type, this.shardOf, this.sizes, this.offsets, this.rel, this.slots].reduce(
      (n, a) => n + a.byteLength,
      0,
    );
  }

  /** The slot holding `bytes[a, b)`'s name, or the empty slot where it would go. */
  private findSlot(bytes: Uint8Array, a: number, b: number): number {
    let h = 0x811c9dc5;
    for (let k = a; k < b; k++) h = Math.imul(h ^ bytes[k], 0x01000193);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s];
      if (v === 0 || this.sameName(v - 1, bytes, a, b)) return s;
    }
  }

  private sameName(i: number, bytes: Uint8Array, a: number, b: number): boolean {
    const x = this.nameStart[i];
    if (this.nameStart[i + 1] - x !== b - a) return false;
    for (let k = 0; k < b - a; k++) if (this.names[x + k] !== bytes[a + k]) return false;
    return true;
  }
}

function grow<T extends Uint8Array | Float64Array>(a: T, need: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  out.set(a);
  return out;
}

/** A canonical array index ('0', '17'; not '01', '-1', '1.5'), checked without a RegExp: this runs on every element access. */
function isIndex(p: string | symbol): boolean {
  if (typeof p !== 'string' || p.length === 0) return false;
  const c = p.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  const n = Number(p);
  return Number.isSafeInteger(n) && String(n) === p;
}

/** The table as a read-only array of TensorInfo (elements made on access). */
export function list(table: TensorTable): readonly TensorInfo[] {
  return new Proxy([] as TensorInfo[], {
    get(target, p) {
      if (p === 'length') return table.length;
      if (p === TABLE) return table;
      if (isIndex(p)) return table.at(Number(p));
      if (p === 'at') return (i: number) => table.at(Math.trunc(i));
      return Reflect.get(target, p);
    },
    has(target, p) {
      if (p === TABLE) return true;
      if (isIndex(p)) return Number(p) < table.length;
      return Reflect.has(target, p);
    },
    ownKeys() {
      return [...Array.from({ length: table.length }, (_, i) => String(i)), 'length'];
    },
    getOwnPropertyDescriptor(_target, p) {
      if (isIndex(p) && Number(p) < table.length) return { value: table.at(Number(p)), writable: false, enumerable: true, configurable: true };
      if (p === 'length') return { value: table.length, writable: true, enumerable: false, configurable: false };
      return undefined;
    },
    set() {
      throw new TypeError('a parsed tensor table is read-only');
    },
    deleteProperty() {
      throw new TypeError('a parsed tensor table is read-only');
    },
  });
}

/** The TensorTable behind `tensors` when it is one (`list`), else undefined (a plain array). */
export function tableOf(tensors: readonly TensorInfo[]): TensorTable | undefined {
  return (tensors as unknown as { [TABLE]?: TensorTable })[TABLE];
}
