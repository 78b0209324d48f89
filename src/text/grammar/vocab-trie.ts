/**
 * The vocabulary as a byte trie, in flat typed arrays, built once per
 * tokenizer: the grammar mask walks it depth first and drops a whole subtree
 * (every token sharing a prefix) at the first byte the grammar refuses.
 *
 *   node i (pre-order ids; node 0 is the root, the empty prefix):
 *     byteOf[i]       the byte on the edge into i
 *     firstChild[i]   first child (children in byte order) or -1
 *     nextSibling[i]  next child of i's parent or -1
 *     tokenIds[tokFirst[i] .. tokFirst[i] + tokCount[i])  tokens whose bytes end at i
 *     tokLo[i], tokHi[i]  the tokens of i's whole subtree: tokenIds[tokLo[i] .. tokHi[i])
 *     asciiBelow[4i .. 4i+4)  bits of the bytes on the edges below i (all < 0x80 unless nonAsciiBelow[i])
 *     depthBelow[i]   the longest path below i, in bytes
 *     boundary[i]     the bytes from the root to i are whole UTF-8 characters
 *     utf8Below[i]    every path below i continues as well-formed UTF-8 (a last character may be cut)
 *   Tokens with no bytes (control tokens) are not in the trie.
 */
import type { Tokenizer } from '../tokenizer.ts';

/** What the grammar needs of a tokenizer. */
export type GrammarVocab = Pick<Tokenizer, 'vocabSize' | 'pieceBytes' | 'isEog' | 'eogIds' | 'addSpacePrefix'>;

export class VocabTrie {
  readonly byteOf: Uint8Array;
  readonly firstChild: Int32Array;
  readonly nextSibling: Int32Array;
  readonly tokFirst: Int32Array;
  readonly tokCount: Int32Array;
  readonly tokenIds: Int32Array;
  readonly tokLo: Int32Array;
  readonly tokHi: Int32Array;
  readonly asciiBelow: Uint32Array;
  readonly nonAsciiBelow: Uint8Array;
  readonly boundary: Uint8Array;
  readonly depthBelow: Uint8Array;
  readonly utf8Below: Uint8Array;
  readonly nodeCount: number;

  /** pieces[id] = the bytes token id adds to the text (empty for control tokens). Built from the sorted byte strings in one pass. */
  constructor(readonly pieces: readonly Uint8Array[]) {
    const ids: number[] = [];
    let bytes = 0;
    for (let id = 0; id < pieces.length; id++)
      if (pieces[id].length > 0) {
        ids.push(id);
        bytes += pieces[id].length;
      }
    ids.sort((a, b) => compareBytes(pieces[a], pieces[b]) || a - b);
    const cap = bytes + 1;
    const byteOf = new Uint8Array(cap);
    const firstChild = new Int32Array(cap).fill(-1);
    const nextSibling = new Int32Array(cap).fill(-1);
    const lastChild = new Int32Array(cap).fill(-1);
    const tokFirst = new Int32Array(cap);
    const tokCount = new Int32Array(cap);
    const tokenIds = new Int32Array(ids.length);
    const path = [0]; // path[d] = node at depth d of the previous string
    let prev: Uint8Array = new Uint8Array(0);
    let n = 1;
    for (let k = 0; k < ids.length; k++) {
      const b = pieces[ids[k]];
      let common = 0;
      while (common < b.length && common < prev.length && b[common] === prev[common]) common++;
      path.length = common + 1;
      for (let d = common; d < b.length; d++) {
        const parent = path[d];
        const c = n++;
        byteOf[c] = b[d];
        if (lastChild[parent] < 0) firstChild[parent] = c;
        else nextSibling[lastChild[parent]] = c;
        lastChild[parent] = c;
        path.push(c);
      }
      const end = path[b.length];
      if (tokCount[end] === 0) tokFirst[end] = k;
      tokCount[end]++;
      tokenIds[k] = ids[k];
      prev = b;
    }
    this.nodeCount = n;
    this.byteOf = byteOf.slice(0, n);
    this.firstChild = firstChild.slice(0, n);
    this.nextSibling = nextSibling.slice(0, n);
    this.tokFirst = tokFirst.slice(0, n);
    this.tokCount = tokCount.slice(0, n);
    this.tokenIds = tokenIds;
    // subtree summaries, children before parents (a child's pre-order id is above its parent's)
    const parent = new Int32Array(n).fill(-1);
    for (let p = 0; p < n; p++) for (let c = this.firstChild[p]; c >= 0; c = this.nextSibling[c]) parent[c] = p;
    this.tokLo = new Int32Array(n);
    this.tokHi = new Int32Array(n);
    this.asciiBelow = new Uint32Array(4 * n);
    this.nonAsciiBelow = new Uint8Array(n);
    this.depthBelow = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.tokLo[i] = this.tokCount[i] > 0 ? this.tokFirst[i] : ids.length;
      this.tokHi[i] = this.tokCount[i] > 0 ? this.tokFirst[i] + this.tokCount[i] : -1;
    }
    const rem = utf8Remaining(this.byteOf, parent);
    this.boundary = Uint8Array.from(rem, (r) => (r === 0 ? 1 : 0));
    this.utf8Below = new Uint8Array(n).fill(1);
    for (let c = n - 1; c > 0; c--) if (rem[c] < 0 || !this.utf8Below[c]) this.utf8Below[parent[c]] = 0;
    for (let c = n - 1; c > 0; c--) {
      const p = parent[c];
      const b = this.byteOf[c];
      if (b >= 0x80 || this.nonAsciiBelow[c]) this.nonAsciiBelow[p] = 1;
      else this.asciiBelow[4 * p + (b >>> 5)] |= 1 << (b & 31);
      for (let k = 0; k < 4; k++) this.asciiBelow[4 * p + k] |= this.asciiBelow[4 * c + k];
      if (this.depthBelow[c] + 1 > this.depthBelow[p]) this.depthBelow[p] = Math.min(255, this.depthBelow[c] + 1);
      if (this.tokLo[c] < this.tokLo[p]) this.tokLo[p] = this.tokLo[c];
      if (this.tokHi[c] > this.tokHi[p]) this.tokHi[p] = this.tokHi[c];
    }
  }
}

/** UTF-8 decoding from the root, node by node (parents first): continuation bytes still to come, -1 once ill-formed. */
function utf8Remaining(byteOf: Uint8Array, parent: Int32Array): Int8Array {
  const n = byteOf.length;
  const rem = new Int8Array(n);
  const lo = new Uint8Array(n);
  const hi = new Uint8Array(n);
  for (let c = 1; c < n; c++) {
    const p = parent[c];
    const b = byteOf[c];
    if (rem[p] < 0) rem[c] = -1;
    else if (rem[p] > 0) {
      rem[c] = b >= lo[p] && b <= hi[p] ? rem[p] - 1 : -1;
      lo[c] = 0x80;
      hi[c] = 0xbf;
    } else {
      const [r, l, h] = utf8Lead(b);
      rem[c] = r;
      lo[c] = l;
      hi[c] = h;
    }
  }
  return rem;
}

/** A byte at a character boundary: [continuation bytes to come (-1: not a lead), range of the next byte]. */
function utf8Lead(b: number): [number, number, number] {
  if (b < 0x80) return [0, 0, 0];
  if (b >= 0xc2 && b <= 0xdf) return [1, 0x80, 0xbf];
  if (b === 0xe0) return [2, 0xa0, 0xbf];
  if (b === 0xed) return [2, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [2, 0x80, 0xbf];
  if (b === 0xf0) return [3, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [3, 0x80, 0xbf];
  if (b === 0xf4) return [3, 0x80, 0x8f];
  return [-1, 0, 0];
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const tries = new WeakMap<GrammarVocab, VocabTrie>();

/** The trie of a tokenizer's vocabulary (bytes as decoding renders them, control tokens empty), cached per tokenizer. */
export function vocabTrieOf(tok: GrammarVocab): VocabTrie {
  let t = tries.get(tok);
  if (!t) {
    const pieces: Uint8Array[] = new Array(tok.vocabSize);
    for (let id = 0; id < tok.vocabSize; id++) pieces[id] = tok.pieceBytes(id, false);
    t = new VocabTrie(pieces);
    tries.set(tok, t);
  }
  return t;
}
