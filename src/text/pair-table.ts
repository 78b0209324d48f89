/**
 * A hash table from a pair of token ids to a number (open addressing in typed
 * arrays): the merge loops look pairs up without building strings or keys.
 */
export class PairTable {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly v: Float64Array;
  private readonly mask: number;
  size = 0;

  constructor(capacity: number) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.a = new Int32Array(cap).fill(-1);
    this.b = new Int32Array(cap);
    this.v = new Float64Array(cap);
    this.mask = cap - 1;
  }

  private slot(x: number, y: number): number {
    let h = (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca6b)) & this.mask;
    while (this.a[h] !== -1 && (this.a[h] !== x || this.b[h] !== y)) h = (h + 1) & this.mask;
    return h;
  }

  /** Sets the value unless the pair is present already (the first one wins). */
  setIfAbsent(x: number, y: number, value: number): void {
    const h = this.slot(x, y);
    if (this.a[h] !== -1) return;
    if ((this.size + 1) * 2 > this.a.length) throw new Error('PairTable full');
    this.a[h] = x;
    this.b[h] = y;
    this.v[h] = value;
    this.size++;
  }

  /** The value, or -1 when absent (values are never negative). */
  get(x: number, y: number): number {
    const h = this.slot(x, y);
    return this.a[h] === -1 ? -1 : this.v[h];
  }
}
