/**
 * A binary min-heap of merge candidates for the BPE and SPM merge loops: each
 * entry is (key, left, right, size), ordered by key then by left position, in
 * parallel typed arrays reused across words (no objects per candidate).
 */
/** A copy of `a` twice as long (the rest zero). */
function doubled<T extends Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

export class MergeHeap {
  private key = new Float64Array(64);
  private left = new Int32Array(64);
  private right = new Int32Array(64);
  private size = new Int32Array(64);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  private less(i: number, j: number): boolean {
    const a = this.key[i];
    const b = this.key[j];
    return a < b || (a === b && this.left[i] < this.left[j]);
  }

  private swap(i: number, j: number): void {
    let t = this.key[i];
    this.key[i] = this.key[j];
    this.key[j] = t;
    t = this.left[i];
    this.left[i] = this.left[j];
    this.left[j] = t;
    t = this.right[i];
    this.right[i] = this.right[j];
    this.right[j] = t;
    t = this.size[i];
    this.size[i] = this.size[j];
    this.size[j] = t;
  }

  private grow(): void {
    this.key = doubled(this.key);
    this.left = doubled(this.left);
    this.right = doubled(this.right);
    this.size = doubled(this.size);
  }

  push(key: number, left: number, right: number, size: number): void {
    if (this.length === this.key.length) this.grow();
    let i = this.length++;
    this.key[i] = key;
    this.left[i] = left;
    this.right[i] = right;
    this.size[i] = size;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top entry; its fields are left in topLeft/topRight/topSize. */
  topLeft = 0;
  topRight = 0;
  topSize = 0;
  pop(): void {
    this.topLeft = this.left[0];
    this.topRight = this.right[0];
    this.topSize = this.size[0];
    const last = --this.length;
    if (last === 0) return;
    this.key[0] = this.key[last];
    this.left[0] = this.left[last];
    this.right[0] = this.right[last];
    this.size[0] = this.size[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const m = r < last && this.less(r, l) ? r : l;
      if (!this.less(m, i)) break;
      this.swap(m, i);
      i = m;
    }
  }
}
