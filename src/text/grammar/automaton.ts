/**
 * The grammar as a lazily built automaton over bytes. llama.cpp keeps a set of
 * pushdown stacks (positions in the rules) and advances every stack on each
 * code point (llama_grammar_advance_stack / llama_grammar_accept); here the
 * same stacks are interned, so that a set of stacks plus a partial UTF-8
 * sequence is one small integer, a *state*, and the transition of a state on
 * a byte is computed once and then read from a table.
 *
 *   node  = (position of the stack's top element, node below it); node 0 is the empty stack
 *   state = (sorted node ids, partial code point value, bytes still to come)
 *   delta[row * 256 + byte] = next state, DEAD, or UNKNOWN (not computed yet), for a state at a character boundary
 *   pdelta[row * 64 + (byte & 0x3f)] = the same for a state inside a character (only continuation bytes go on);
 *     such a state keeps the stacks of the boundary state it left, so it is keyed by (that state, value, remain)
 *
 * A state holding the empty stack (and no unfinished character) is accepting:
 * the text so far is a complete sentence of the grammar.
 */
import { ALT, CHAR, CHAR_ALT, CHAR_ANY, CHAR_NOT, CHAR_RNG_UPPER, END, RULE_REF, grammarError, type Grammar } from './gbnf.ts';

export const DEAD = -1;
const UNKNOWN = -2;
/** Interned stack nodes / states at most: bounds the memory one grammar can take (a few tens of MiB). */
export const MAX_NODES = 1 << 21;
export const MAX_STATES = 1 << 16;
/** States inside a character at most (64 transitions each: a big multilingual vocabulary makes many). */
export const MAX_PARTIAL_STATES = 1 << 18;

export class GrammarAutomaton {
  private nodePos: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private nodeParent: Int32Array<ArrayBuffer> = new Int32Array(1024);
  private nodeCount = 1;
  private readonly nodeIds = new Map<number, number>();
  private readonly advanced: Array<Int32Array | undefined> = [];
  private readonly stateStacks: Int32Array[] = [];
  private readonly statePartial: number[] = [];
  private readonly stateRemain: number[] = [];
  /** The boundary state whose stacks a state has (itself at a boundary). */
  private readonly stateBase: number[] = [];
  /** The state's row in delta (boundary) or pdelta (inside a character). */
  private readonly stateRow: number[] = [];
  private boundaryRows = 0;
  private partialRows = 0;
  private pdelta: Int32Array<ArrayBuffer> = new Int32Array(0);
  private readonly partialIds = new Map<number, number>();
  private readonly stateIds = new Map<string, number>();
  private delta: Int32Array<ArrayBuffer> = new Int32Array(0);
  private readonly loops: Array<Uint32Array | undefined> = [];
  private readonly nonAsciiTo: Array<number | undefined> = [];
  private probes: Uint8Array[] | null = null;
  /** The state before any text. */
  readonly start: number;

  constructor(readonly grammar: Grammar) {
    const g = grammar;
    if (g.types.length >= 0x1000000) throw grammarError(`${g.types.length} elements: more than the matcher addresses`);
    const roots: number[] = [];
    // one stack per alternate of the root rule, as llama_grammar_init_impl does
    for (let p = g.ruleStart[g.root]; ; ) {
      roots.push(...this.advance(this.isEnd(p) ? 0 : this.node(p, 0)));
      while (!this.isEnd(p)) p++;
      if (g.types[p] === END) break;
      p++;
    }
    this.start = this.state(uniqueSorted(roots));
  }

  get stateCount(): number {
    return this.stateStacks.length;
  }

  /** The text so far is a sentence of the grammar. */
  accepting(s: number): boolean {
    return this.stateRemain[s] === 0 && this.stateStacks[s][0] === 0;
  }

  /** Nothing can follow: the only stack left is the empty one. */
  complete(s: number): boolean {
    const st = this.stateStacks[s];
    return this.stateRemain[s] === 0 && st.length === 1 && st[0] === 0;
  }

  /** The state after one more byte, or DEAD. */
  step(s: number, byte: number): number {
    const row = this.stateRow[s];
    if (this.stateRemain[s] === 0) {
      const t = this.delta[row * 256 + byte];
      if (t !== UNKNOWN) return t;
      const next = this.compute(s, byte);
      this.delta[row * 256 + byte] = next;
      return next;
    }
    if ((byte & 0xc0) !== 0x80) return DEAD;
    const t = this.pdelta[row * 64 + (byte & 0x3f)];
    if (t !== UNKNOWN) return t;
    const next = this.compute(s, byte);
    this.pdelta[row * 64 + (byte & 0x3f)] = next;
    return next;
  }

  /** Bits of the ASCII bytes that lead from s back to s itself (a character a string or a repetition takes and stays). */
  selfLoops(s: number): Uint32Array {
    let m = this.loops[s];
    if (!m) {
      m = new Uint32Array(4);
      for (let b = 0; b < 0x80; b++) if (this.step(s, b) === s) m[b >>> 5] |= 1 << (b & 31);
      this.loops[s] = m;
    }
    return m;
  }

  /**
   * The one state every non-ASCII character leads to from s, or -1 when they
   * do not all lead to the same live state. Matching depends only on which of
   * the grammar's ranges a code point falls in, so one code point per
   * interval between the grammar's range ends (and per UTF-8 length) settles it exactly.
   */
  nonAsciiNext(s: number): number {
    let r = this.nonAsciiTo[s];
    if (r === undefined) {
      if (!this.probes) {
        const cuts = new Set([0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff]);
        const { types, values } = this.grammar;
        for (let i = 0; i < types.length; i++) {
          if (types[i] >= CHAR && types[i] <= CHAR_ALT && values[i] >= 0x80) {
            for (const v of [values[i] - 1, values[i], values[i] + 1]) if (v >= 0x80 && v <= 0x10ffff && (v < 0xd800 || v > 0xdfff)) cuts.add(v);
          }
        }
        this.probes = [...cuts].map((cp) => new TextEncoder().encode(String.fromCodePoint(cp)));
      }
      r = -1;
      if (this.stateRemain[s] === 0) {
        const u = this.walk(s, this.probes[0]);
        if (u !== DEAD && this.probes.every((b) => this.walk(s, b) === u)) r = u;
      }
      this.nonAsciiTo[s] = r;
    }
    return r;
  }

  /** Every non-ASCII character leads from s back to s (the inside of a JSON string). */
  loopsOnNonAscii(s: number): boolean {
    return this.nonAsciiNext(s) === s;
  }

  /**
   * The one state that every byte of `bits` (ASCII bytes, 4 words at `at`)
   * and, when `nonAscii`, every non-ASCII character lead to from s, or -1.
   */
  uniformNext(s: number, bits: Uint32Array, at: number, nonAscii: boolean): number {
    let u = -2;
    for (let w = 0; w < 4; w++) {
      for (let word = bits[at + w]; word !== 0; word &= word - 1) {
        const b = w * 32 + 31 - Math.clz32(word & -word);
        const t = this.step(s, b);
        if (t === DEAD || (u !== -2 && t !== u)) return -1;
        u = t;
      }
    }
    if (nonAscii) {
      const v = this.nonAsciiNext(s);
      if (v < 0 || (u !== -2 && v !== u)) return -1;
      u = v;
    }
    return u === -2 ? -1 : u;
  }

  /** The state is inside a character (bytes of it still to come). */
  partial(s: number): boolean {
    return this.stateRemain[s] !== 0;
  }

  /** The state after bytes, or DEAD. */
  walk(s: number, bytes: Uint8Array): number {
    for (let i = 0; i < bytes.length && s !== DEAD; i++) s = this.step(s, bytes[i]);
    return s;
  }

  private isEnd(p: number): boolean {
    const t = this.grammar.types[p];
    return t === END || t === ALT;
  }

  private node(pos: number, parent: number): number {
    const key = parent * 0x1000000 + pos;
    let id = this.nodeIds.get(key);
    if (id !== undefined) return id;
    if (this.nodeCount >= MAX_NODES) throw grammarError(`the grammar's state grew past ${MAX_NODES} stack nodes`);
    if (this.nodeCount === this.nodePos.length) {
      this.nodePos = grow(this.nodePos);
      this.nodeParent = grow(this.nodeParent);
    }
    id = this.nodeCount++;
    this.nodePos[id] = pos;
    this.nodeParent[id] = parent;
    this.nodeIds.set(key, id);
    return id;
  }

  /** llama_grammar_advance_stack: every stack the one at `n` expands to whose top is a character element (or the empty stack). */
  private advance(n: number): Int32Array {
    const memo = this.advanced[n];
    if (memo) return memo;
    const g = this.grammar;
    const out: number[] = [];
    const seen = new Set<number>();
    const todo = [n];
    while (todo.length) {
      const cur = todo.pop()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      if (cur === 0) {
        out.push(0);
        continue;
      }
      const pos = this.nodePos[cur];
      if (g.types[pos] !== RULE_REF) {
        out.push(cur);
        continue;
      }
      const below = this.nodeParent[cur];
      const base = this.isEnd(pos + 1) ? below : this.node(pos + 1, below);
      for (let sub = g.ruleStart[g.values[pos]]; ; ) {
        todo.push(this.isEnd(sub) ? base : this.node(sub, base));
        while (!this.isEnd(sub)) sub++;
        if (g.types[sub] === END) break;
        sub++;
      }
    }
    const r = uniqueSorted(out);
    this.advanced[n] = r;
    return r;
  }

  /** The state of `stacks` at a character boundary, interned. */
  private state(stacks: Int32Array): number {
    const key = stacks.join(',');
    let id = this.stateIds.get(key);
    if (id !== undefined) return id;
    if (this.boundaryRows >= MAX_STATES) throw grammarError(`the grammar's automaton grew past ${MAX_STATES} states`);
    id = this.push(stacks, 0, 0, -1, this.boundaryRows++);
    this.stateIds.set(key, id);
    if (this.delta.length < this.boundaryRows * 256) this.delta = grownFilled(this.delta, 256 * 64);
    return id;
  }

  /** The state inside a character after boundary state `base`: `value` so far, `remain` bytes to come. */
  private partialState(base: number, value: number, remain: number): number {
    const key = base * 2 ** 17 + remain * 2 ** 15 + value;
    let id = this.partialIds.get(key);
    if (id !== undefined) return id;
    if (this.partialRows >= MAX_PARTIAL_STATES) throw grammarError(`the grammar's automaton grew past ${MAX_PARTIAL_STATES} states inside characters`);
    id = this.push(this.stateStacks[base], value, remain, base, this.partialRows++);
    this.partialIds.set(key, id);
    if (this.pdelta.length < this.partialRows * 64) this.pdelta = grownFilled(this.pdelta, 64 * 256);
    return id;
  }

  private push(stacks: Int32Array, value: number, remain: number, base: number, row: number): number {
    const id = this.stateStacks.length;
    this.stateStacks.push(stacks);
    this.statePartial.push(value);
    this.stateRemain.push(remain);
    this.stateBase.push(base < 0 ? id : base);
    this.stateRow.push(row);
    return id;
  }

  private compute(s: number, b: number): number {
    let value = this.statePartial[s];
    let remain = this.stateRemain[s];
    if (remain === 0) {
      if (b < 0x80) return this.acceptChar(s, b);
      if (b < 0xc2 || b > 0xf4) return DEAD; // a continuation byte, an overlong 2-byte lead, or past U+10FFFF
      if ((b & 0xe0) === 0xc0) {
        value = b & 0x1f;
        remain = 1;
      } else if ((b & 0xf0) === 0xe0) {
        value = b & 0x0f;
        remain = 2;
      } else if ((b & 0xf8) === 0xf0) {
        value = b & 0x07;
        remain = 3;
      } else return DEAD;
    } else {
      if ((b & 0xc0) !== 0x80) return DEAD;
      // well-formed UTF-8 only (stricter than llama.cpp): no overlong forms, no surrogates, nothing past U+10FFFF
      if (remain === 2 && value < 0x10 && ((value === 0 && b < 0xa0) || (value === 0x0d && b > 0x9f))) return DEAD;
      if (remain === 3 && ((value === 0 && b < 0x90) || (value === 4 && b > 0x8f))) return DEAD;
      value = (value << 6) | (b & 0x3f);
      remain--;
      if (remain === 0) return this.acceptChar(s, value);
    }
    const stacks = this.stateStacks[s];
    for (let i = 0; i < stacks.length; i++) {
      if (stacks[i] !== 0 && this.matchPartial(this.nodePos[stacks[i]], value, remain)) return this.partialState(this.stateBase[s], value, remain);
    }
    return DEAD;
  }

  /** llama_grammar_accept: each stack whose top matches the code point moves past it and is advanced. */
  private acceptChar(s: number, cp: number): number {
    const stacks = this.stateStacks[s];
    const out: number[] = [];
    for (let i = 0; i < stacks.length; i++) {
      const n = stacks[i];
      if (n === 0) continue;
      const after = this.match(this.nodePos[n], cp);
      if (after < 0) continue;
      const below = this.nodeParent[n];
      const next = this.isEnd(after) ? below : this.node(after, below);
      const adv = this.advance(next);
      for (let j = 0; j < adv.length; j++) out.push(adv[j]);
    }
    if (out.length === 0) return DEAD;
    return this.state(uniqueSorted(out));
  }

  /** llama_grammar_match_char: the slot after the character element when it matches cp, else -1. */
  private match(pos: number, cp: number): number {
    const { types, values } = this.grammar;
    const positive = types[pos] === CHAR || types[pos] === CHAR_ANY;
    let found = false;
    do {
      if (types[pos + 1] === CHAR_RNG_UPPER) {
        found = found || (values[pos] <= cp && cp <= values[pos + 1]);
        pos += 2;
      } else if (types[pos] === CHAR_ANY) {
        found = true;
        pos += 1;
      } else {
        found = found || values[pos] === cp;
        pos += 1;
      }
    } while (types[pos] === CHAR_ALT);
    return found === positive ? pos : -1;
  }

  /** llama_grammar_match_partial_char: some completion of the partial UTF-8 sequence could match at pos. */
  private matchPartial(pos: number, value: number, remain: number): boolean {
    const { types, values } = this.grammar;
    const positive = types[pos] === CHAR || types[pos] === CHAR_ANY;
    if (types[pos] !== CHAR && types[pos] !== CHAR_ANY && types[pos] !== CHAR_NOT) return false;
    if (remain === 1 && value < 2) return false; // overlong 2-byte form of a 7-bit char
    let low = value * 2 ** (remain * 6);
    const high = low + 2 ** (remain * 6) - 1;
    if (low === 0) low = remain === 2 ? 1 << 11 : remain === 3 ? 1 << 16 : low;
    do {
      if (types[pos + 1] === CHAR_RNG_UPPER) {
        if (values[pos] <= high && low <= values[pos + 1]) return positive;
        pos += 2;
      } else if (types[pos] === CHAR_ANY) {
        return true;
      } else {
        if (low <= values[pos] && values[pos] <= high) return positive;
        pos += 1;
      }
    } while (types[pos] === CHAR_ALT);
    return !positive;
  }
}

function uniqueSorted(xs: number[]): Int32Array {
  const a = Int32Array.from(xs).sort();
  let m = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[m++] = a[i];
  return a.slice(0, m);
}

/** A copy at least twice as long (and at least `min`), the new part UNKNOWN. */
function grownFilled(a: Int32Array<ArrayBuffer>, min: number): Int32Array<ArrayBuffer> {
  const d = new Int32Array(Math.max(min, a.length * 2)).fill(UNKNOWN);
  d.set(a);
  return d;
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Whether a whole string is a sentence of the grammar (for tests and validation).
 * @internal not part of the package's API
 */
export function grammarAccepts(a: GrammarAutomaton, text: string): boolean {
  const s = a.walk(a.start, new TextEncoder().encode(text));
  return s !== DEAD && a.accepting(s);
}
