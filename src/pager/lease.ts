/**
 * Leases: a caller's claim on a tensor's bytes in the Wasm arena. While a
 * lease is alive the block is pinned in the arena (it never moves) and the
 * pager never evicts or overwrites it; `release` ends the claim.
 */
import { GgufPagerError } from '../errors.ts';

/** A tensor id is its GGUF name (`blk.0.attn_q.weight`); it displays as itself. */
export type TensorId = string;

/** What a lease needs to know of the pager that issued it. */
export interface LeaseOwner {
  readonly isDisposed: boolean;
  /** A fresh view of tensor `index`'s bytes in the arena. */
  viewOf(index: number): Uint8Array;
}

export class Lease {
  /** The tensor's GGUF name. */
  readonly id: TensorId;
  /** Byte offset of the tensor's bytes in the Wasm memory (stable while leased). */
  readonly ptr: number;
  /** Byte length of the tensor. */
  readonly length: number;
  /** @internal index of the tensor in model.tensors. */
  readonly index: number;
  /** @internal the pager that issued it. */
  readonly owner: LeaseOwner;
  /** @internal */
  released = false;

  constructor(owner: LeaseOwner, index: number, id: TensorId, ptr: number, length: number) {
    this.owner = owner;
    this.index = index;
    this.id = id;
    this.ptr = ptr;
    this.length = length;
  }

  /** A view of the tensor's bytes in the arena. Valid until release. */
  bytes(): Uint8Array {
    this.check();
    return this.owner.viewOf(this.index);
  }

  /** The bytes as float32 (an F32 tensor): a view, no copy. */
  f32(): Float32Array {
    const v = this.bytes();
    if (v.byteOffset % 4 !== 0 || v.length % 4 !== 0) {
      throw new GgufPagerError('INVALID_ARGUMENT', `tensor ${this.id}: ${v.length} bytes at ${v.byteOffset} are not a float32 array`, {
        tensor: this.id,
        ptr: v.byteOffset,
        length: v.length,
      });
    }
    return new Float32Array(v.buffer, v.byteOffset, v.length / 4);
  }

  toString(): string {
    return this.id;
  }

  private check(): void {
    if (this.owner.isDisposed)
      throw new GgufPagerError('PAGER_DISPOSED', `tensor ${this.id}: the pager that issued this lease was disposed`, { tensor: this.id });
    if (this.released) throw new GgufPagerError('PAGER_BAD_LEASE', `tensor ${this.id}: lease used after release`, { tensor: this.id });
  }
}

/** Leases taken together (`acquireLayer`, `acquireMany`) and released together. */
export class LeaseGroup {
  /** Block index for `acquireLayer`, -1 for `acquireMany`. */
  readonly layer: number;
  readonly leases: readonly Lease[];
  /** @internal */
  released = false;

  constructor(layer: number, leases: Lease[]) {
    this.layer = layer;
    this.leases = leases;
  }

  /** The lease of tensor `id` (full name, or the part after `blk.N.`). */
  get(id: string): Lease {
    const full = this.layer >= 0 && !id.startsWith('blk.') ? `blk.${this.layer}.${id}` : id;
    const l = this.leases.find((x) => x.id === full);
    if (!l) throw new GgufPagerError('PAGER_UNKNOWN_TENSOR', `tensor ${full} is not in this lease group`, { tensor: full });
    return l;
  }
}

/** What `acquireLayer` returns. */
export type LayerLease = LeaseGroup;
