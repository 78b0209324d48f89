/**
 * The grammar as a logits mask: at each step only tokens whose bytes keep the
 * text inside the grammar stay drawable. The allowed set of a state is found
 * by walking the vocabulary trie from that state, dropping a subtree at the
 * first refused byte, and is kept for the state (the same states recur: every
 * character inside a JSON string leads back to one). End-of-generation tokens
 * are allowed only where the text is a complete sentence, as in llama.cpp.
 */
import { DEAD, GrammarAutomaton } from './automaton.ts';
import { grammarError, parseGbnf } from './gbnf.ts';
import { vocabTrieOf, type GrammarVocab, type VocabTrie } from './vocab-trie.ts';

/** Subtrees with fewer tokens are walked rather than checked for a chain of uniform states. */
const CHAIN_MIN_TOKENS = 32;
/** Allowed-token sets kept per matcher (each is vocab/8 bytes). */
const MASK_CACHE = 64;
/** Parsed grammars (with their lazily built automata) kept across generations, by text. */
const AUTOMATON_CACHE = 4;
const automata = new Map<string, GrammarAutomaton>();

/** A grammar's automaton from GBNF text, reused while it stays among the last few used. */
export function automatonOf(gbnf: string): GrammarAutomaton {
  let a = automata.get(gbnf);
  if (a) {
    automata.delete(gbnf);
  } else {
    a = new GrammarAutomaton(parseGbnf(gbnf));
    if (automata.size >= AUTOMATON_CACHE) automata.delete(automata.keys().next().value!);
  }
  automata.set(gbnf, a);
  return a;
}

export class GrammarMatcher {
  private state: number;
  private first: boolean;
  private readonly trie: VocabTrie;
  private readonly masks = new Map<number, Uint32Array>();
  private readonly stackNode: Int32Array;
  private readonly stackState: Int32Array;
  private readonly vocab: number;
  /** Steps whose allowed set was computed (not found in the cache). */
  walks = 0;

  /**
   * `stripLeadingSpace`: the first token's leading space is not part of the
   * text (SentencePiece models, as the streaming detokenizer drops it).
   */
  constructor(
    readonly automaton: GrammarAutomaton,
    private readonly tok: GrammarVocab,
    stripLeadingSpace = tok.addSpacePrefix,
  ) {
    this.trie = vocabTrieOf(tok);
    this.state = automaton.start;
    this.first = stripLeadingSpace;
    this.vocab = tok.vocabSize;
    this.stackNode = new Int32Array(this.trie.nodeCount + 1);
    this.stackState = new Int32Array(this.trie.nodeCount + 1);
  }

  /** The text so far is a complete sentence (end-of-generation tokens are allowed). */
  get accepting(): boolean {
    return this.automaton.accepting(this.state);
  }

  /** Nothing can follow the text: the generation is over. */
  get complete(): boolean {
    return this.automaton.complete(this.state);
  }

  /** Sets the logit of every token the grammar refuses to -Infinity; returns how many stay. */
  apply(logits: Float32Array): number {
    const bits = this.allowed();
    const n = Math.min(logits.length, this.vocab);
    let kept = 0;
    for (let w = 0; w * 32 < n; w++) {
      const word = bits[w];
      const end = Math.min(32, n - w * 32);
      if (word === 0xffffffff) {
        kept += end;
        continue;
      }
      for (let j = 0; j < end; j++) {
        if (word & (1 << j)) kept++;
        else logits[w * 32 + j] = -Infinity;
      }
    }
    for (let i = n; i < logits.length; i++) logits[i] = -Infinity;
    return kept;
  }

  /** Moves past a drawn token; INVALID_ARGUMENT if the grammar refuses it. */
  accept(id: number): void {
    if (this.tok.isEog(id)) {
      if (!this.accepting) throw grammarError(`end-of-generation token ${id} where the grammar needs more text`, { token: id });
      return;
    }
    let b = this.tok.pieceBytes(id, false);
    if (this.first && b.length > 0 && b[0] === 0x20) b = b.subarray(1);
    const next = b.length === 0 ? DEAD : this.automaton.walk(this.state, b);
    if (next === DEAD) throw grammarError(`token ${id} does not continue the text in the grammar`, { token: id });
    this.state = next;
    this.first = false;
  }

  /** Moves past text already written (bytes), e.g. a prefilled start; INVALID_ARGUMENT if the grammar refuses it. */
  advance(bytes: Uint8Array): void {
    const next = this.automaton.walk(this.state, bytes);
    if (next === DEAD) throw grammarError('the text does not continue in the grammar', { bytes: bytes.length });
    this.state = next;
    if (bytes.length > 0) this.first = false;
  }

  /** Bit i set = token i allowed now. */
  allowed(): Uint32Array {
    const key = this.state * 2 + (this.first ? 1 : 0);
    const hit = this.masks.get(key);
    if (hit) {
      this.masks.delete(key);
      this.masks.set(key, hit);
      return hit;
    }
    this.walks++;
    const bits = new Uint32Array((this.vocab + 31) >>> 5);
    this.walk(bits);
    if (this.accepting) for (const id of this.tok.eogIds) if (id < this.vocab) bits[id >>> 5] |= 1 << (id & 31);
    if (this.masks.size >= MASK_CACHE) this.masks.delete(this.masks.keys().next().value!);
    this.masks.set(key, bits);
    return bits;
  }

  /**
   * Depth-first over the trie from the current state; a refused byte ends its
   * subtree; a subtree whose bytes all loop back to the state (ASCII bytes
   * that do, and well-formed UTF-8 where every non-ASCII character does: the
   * inside of a string), or lead alike from state to state as deep as the
   * subtree goes (a bounded repetition such as maxLength), is allowed whole
   * without walking it.
   */
  private walk(bits: Uint32Array): void {
    const { firstChild, nextSibling, byteOf, tokFirst, tokCount, tokenIds, tokLo, tokHi, asciiBelow, nonAsciiBelow, boundary, utf8Below, depthBelow } =
      this.trie;
    const rootPartial = this.automaton.partial(this.state);
    const fill = (c: number): true => {
      for (let k = tokLo[c], e = tokHi[c]; k < e; k++) bits[tokenIds[k] >>> 5] |= 1 << (tokenIds[k] & 31);
      return true;
    };
    const whole = (c: number, s: number): boolean => {
      const nonAscii = nonAsciiBelow[c] === 1;
      if (nonAscii && (rootPartial || !boundary[c] || !utf8Below[c])) return false;
      const loops = a.selfLoops(s);
      const i = 4 * c;
      const ascii = (asciiBelow[i] & ~loops[0]) | (asciiBelow[i + 1] & ~loops[1]) | (asciiBelow[i + 2] & ~loops[2]) | (asciiBelow[i + 3] & ~loops[3]);
      if (ascii === 0 && (!nonAscii || a.loopsOnNonAscii(s))) return fill(c);
      // a chain of states each byte (or character) of the subtree leads to alike, as deep as the subtree: a bounded repetition
      if (tokHi[c] - tokLo[c] < CHAIN_MIN_TOKENS) return false;
      let st = s;
      for (let d = 0; d < depthBelow[c]; d++) {
        st = a.uniformNext(st, asciiBelow, i, nonAscii);
        if (st < 0) return false;
      }
      return fill(c);
    };
    const a = this.automaton;
    const sn = this.stackNode;
    const ss = this.stackState;
    let top = 0;
    for (let c = firstChild[0]; c >= 0; c = nextSibling[c]) {
      const skip = this.first && byteOf[c] === 0x20; // the stripped leading space: the state does not move
      const s = skip ? this.state : a.step(this.state, byteOf[c]);
      if (s === DEAD) continue;
      if (!skip) for (let k = tokFirst[c], e = k + tokCount[c]; k < e; k++) bits[tokenIds[k] >>> 5] |= 1 << (tokenIds[k] & 31);
      sn[top] = c;
      ss[top++] = s;
    }
    while (top > 0) {
      const n = sn[--top];
      const st = ss[top];
      for (let c = firstChild[n]; c >= 0; c = nextSibling[c]) {
        const s = a.step(st, byteOf[c]);
        if (s === DEAD) continue;
        for (let k = tokFirst[c], e = k + tokCount[c]; k < e; k++) bits[tokenIds[k] >>> 5] |= 1 << (tokenIds[k] & 31);
        if (firstChild[c] >= 0 && !whole(c, s)) {
          sn[top] = c;
          ss[top++] = s;
        }
      }
    }
  }
}
