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
  readonly nodeCount: number;

  /** pieces[id] = the bytes token id adds to the text (empty for control tokens). Built from the sorted byte strings in one pass. */
  constructor(readonly pieces: readonly Uint8Array[]) {
    const ids: number[] = [];
    let bytes = 0;
    for (let id = 0; id < pieces.length; id++) if (pieces[id].length > 0) { ids.push(id); bytes += pieces[id].length; }
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
  }
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
