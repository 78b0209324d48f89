/**
 * The forward-pass access order of a model. Every token reads the weights in
 * the same cyclic order, so the pager knows the future: the next use of any
 * tensor is a subtraction away.
 *
 *   groups:  [token_embd.weight] [blk.0.* in file order] … [blk.N-1.*] [rest in file order]
 *   order:   the groups' tensors laid end to end; one token = one pass over it
 *   pos[t]:  where tensor t (index in model.tensors) sits in `order`
 */
import type { GgufModel } from '../gguf/types.ts';
import { blockIndexOf } from './policy.ts';

export class Schedule {
  /** Tensor indices (into model.tensors) of each group, in access order. */
  readonly groups: readonly Int32Array[];
  /** All tensor indices in access order (the groups concatenated). */
  readonly order: Int32Array;
  /** Position of each tensor in `order`. */
  readonly pos: Int32Array;
  /** Group index of each tensor. */
  readonly groupOf: Int32Array;
  /** Group index of block i (`blk.i.*`), -1 when the model has no such block. */
  private readonly blockGroup: Map<number, number>;

  constructor(groups: Int32Array[], tensorCount: number, blockGroup: Map<number, number>) {
    this.groups = groups;
    this.blockGroup = blockGroup;
    this.pos = new Int32Array(tensorCount).fill(-1);
    this.groupOf = new Int32Array(tensorCount).fill(-1);
    let n = 0;
    for (const g of groups) n += g.length;
    this.order = new Int32Array(n);
    let p = 0;
    groups.forEach((g, gi) => {
      for (const t of g) {
        this.order[p] = t;
        this.pos[t] = p++;
        this.groupOf[t] = gi;
      }
    });
  }

  /** Tensors per token (the cycle length). */
  get length(): number {
    return this.order.length;
  }

  /** Group index of block i, or -1. */
  groupOfBlock(i: number): number {
    return this.blockGroup.get(i) ?? -1;
  }

  /**
   * How many accesses after position `cursor` tensor t is next read: 1 = the
   * very next access, `length` = t is the one at `cursor` (read a full cycle
   * later). `cursor = -1` means nothing has been read yet.
   */
  distance(cursor: number, t: number): number {
    const n = this.order.length;
    return ((((this.pos[t] - cursor - 1) % n) + n) % n) + 1;
  }
}

/**
 * groups = [token_embd.weight], then each block's tensors in file order (blocks
 * by number), then the remaining non-block tensors in file order.
 */
export function forwardSchedule(model: GgufModel): Schedule {
  const embd: number[] = [];
  const rest: number[] = [];
  const blocks = new Map<number, number[]>();
  model.tensors.forEach((t, i) => {
    const b = blockIndexOf(t.name);
    if (t.name === 'token_embd.weight') embd.push(i);
    else if (b < 0) rest.push(i);
    else {
      let list = blocks.get(b);
      if (!list) blocks.set(b, (list = []));
      list.push(i);
    }
  });
  const groups: Int32Array[] = [];
  const blockGroup = new Map<number, number>();
  if (embd.length) groups.push(Int32Array.from(embd));
  for (const b of [...blocks.keys()].sort((x, y) => x - y)) {
    blockGroup.set(b, groups.length);
    groups.push(Int32Array.from(blocks.get(b)!));
  }
  if (rest.length) groups.push(Int32Array.from(rest));
  return new Schedule(groups, model.tensors.length, blockGroup);
}

/**
 * The group index read at each step of `tokens` forward passes.
 * @internal not part of the package's API (tests and bench:pager)
 */
export function groupTrace(schedule: Schedule, tokens: number): Int32Array {
  const g = schedule.groups.length;
  const trace = new Int32Array(g * tokens);
  for (let i = 0; i < trace.length; i++) trace[i] = i % g;
  return trace;
}
