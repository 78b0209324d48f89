/**
 * GBNF, llama.cpp's grammar syntax (src/llama-grammar.cpp, llama_grammar_parser):
 * `name ::= alternates` rules, `|` alternation, `( )` groups, literals with
 * `\x \u \U \t \r \n` escapes, character classes `[a-z]` / `[^"\\]`, `.` any
 * character, `* + ?` and `{m}` `{m,}` `{m,n}` repetition, `#` comments.
 * Repetitions are rewritten into generated rules exactly as llama.cpp does, so
 * the element array below is llama.cpp's `llama_grammar_rules`, flattened:
 *
 *   elements:  [type, value] per slot; a rule is its alternates, each ended by
 *              ALT (more follow) or END (the last one).
 *   ruleStart: first slot of each rule.
 */
import { GgufPagerError } from '../../errors.ts';

export const END = 0,
  ALT = 1,
  RULE_REF = 2,
  CHAR = 3,
  CHAR_NOT = 4,
  CHAR_RNG_UPPER = 5,
  CHAR_ALT = 6,
  CHAR_ANY = 7;

/** llama.cpp's MAX_REPETITION_THRESHOLD: a bound on the rules a repetition generates. */
export const MAX_REPETITION = 2000;
/** Groups nested deeper than this are refused (the parser recurses into each). */
export const MAX_NESTING = 256;
/** Grammar text longer than this is refused (it is parsed eagerly). */
export const MAX_GRAMMAR_CHARS = 1 << 20;

export interface Grammar {
  /** Element types, one per slot. */
  readonly types: Uint8Array;
  /** Element values (a code point, or a rule id for RULE_REF). */
  readonly values: Uint32Array;
  readonly ruleStart: Int32Array;
  readonly names: readonly string[];
  readonly root: number;
}

export function grammarError(what: string, details: Record<string, unknown> = {}): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `grammar: ${what}`, details);
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || isDigit(c);
const CH = (s: string) => s.codePointAt(0)!;

class Parser {
  readonly cs: number[];
  readonly ids = new Map<string, number>();
  readonly rules: number[][] = [];
  depth = 0;

  constructor(src: string) {
    this.cs = Array.from(src, (c) => c.codePointAt(0)!);
    this.cs.push(0);
  }

  at(p: number): number {
    return this.cs[p];
  }

  fail(what: string, p: number): never {
    const near = String.fromCodePoint(...this.cs.slice(p, p + 24).filter((c) => c !== 0));
    throw grammarError(`${what} at "${near}"`, { offset: p });
  }

  symbol(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) this.ids.set(name, (id = this.ids.size));
    return id;
  }

  generated(base: string): number {
    const id = this.ids.size;
    this.ids.set(`${base}_${id}`, id);
    return id;
  }

  space(p: number, newlineOk: boolean): number {
    for (;;) {
      const c = this.at(p);
      if (c === 32 || c === 9) p++;
      else if (newlineOk && (c === 13 || c === 10)) p++;
      else if (c === 35) while (this.at(p) !== 0 && this.at(p) !== 13 && this.at(p) !== 10) p++;
      else return p;
    }
  }

  name(p: number): number {
    const s = p;
    while (isWord(this.at(p))) p++;
    if (p === s) this.fail('expecting name', s);
    return p;
  }

  int(p: number): [number, number] {
    const s = p;
    while (isDigit(this.at(p))) p++;
    if (p === s) this.fail('expecting integer', s);
    return [Number(String.fromCodePoint(...this.cs.slice(s, p))), p];
  }

  hex(p: number, n: number): [number, number] {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = this.at(p + i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) this.fail(`expecting ${n} hex chars`, p);
      v = v * 16 + d;
    }
    return [v, p + n];
  }

  char(p: number): [number, number] {
    const c = this.at(p);
    if (c === 92) {
      const e = this.at(p + 1);
      switch (String.fromCodePoint(e)) {
        case 'x':
          return this.hex(p + 2, 2);
        case 'u':
          return this.hex(p + 2, 4);
        case 'U':
          return this.hex(p + 2, 8);
        case 't':
          return [9, p + 2];
        case 'r':
          return [13, p + 2];
        case 'n':
          return [10, p + 2];
        case '\\':
        case '"':
        case '[':
        case ']':
        case '-':
          return [e, p + 2];
        default:
          this.fail('unknown escape', p);
      }
    }
    if (c === 0) this.fail('unexpected end of input', p);
    return [c, p + 1];
  }

  addRule(id: number, rule: number[]): void {
    while (this.rules.length <= id) this.rules.push([]);
    this.rules[id] = rule;
  }

  alternates(p: number, ruleName: string, id: number, nested: boolean): number {
    const rule: number[] = [];
    p = this.sequence(p, ruleName, rule, nested);
    while (this.at(p) === CH('|')) {
      rule.push(ALT, 0);
      p = this.space(p + 1, true);
      p = this.sequence(p, ruleName, rule, nested);
    }
    rule.push(END, 0);
    this.addRule(id, rule);
    return p;
  }

  /** S{m,n} → S…S (m times) then n−m nested optional rules; S{m,} → S…S then S' ::= S S' | (llama.cpp's rewrite). */
  repeat(rule: number[], lastStart: number, prevRules: number, min: number, max: number, ruleName: string, p: number): number {
    const noMax = max === Infinity;
    if (lastStart === rule.length) this.fail('expecting preceding item to */+/?/{', p);
    const prev = rule.slice(lastStart);
    const total = !noMax && max > 0 ? max : min > 0 ? min : 1;
    if (prevRules * total > MAX_REPETITION) this.fail(`a repetition generates more than ${MAX_REPETITION} rules`, p);
    if (min === 0) rule.length = lastStart;
    else for (let i = 1; i < min; i++) rule.push(...prev);
    let lastRec = 0;
    const nOpt = noMax ? 1 : max - min;
    for (let i = 0; i < nOpt; i++) {
      const rec = [...prev];
      const recId = this.generated(ruleName);
      if (i > 0 || noMax) rec.push(RULE_REF, noMax ? recId : lastRec);
      rec.push(ALT, 0, END, 0);
      this.addRule(recId, rec);
      lastRec = recId;
    }
    if (nOpt > 0) rule.push(RULE_REF, lastRec);
    return prevRules * total;
  }

  /** `"…"`: one CHAR element per character. Returns the position after the closing quote. */
  literal(p: number, rule: number[]): number {
    while (this.at(p) !== CH('"')) {
      if (this.at(p) === 0) this.fail('unexpected end of input', p);
      const [v, q] = this.char(p);
      rule.push(CHAR, v);
      p = q;
    }
    return p + 1;
  }

  /** `[…]` / `[^…]`: CHAR (or CHAR_NOT), then CHAR_ALT per further item, CHAR_RNG_UPPER after a range's start. */
  charClass(p: number, rule: number[]): number {
    let start = CHAR;
    if (this.at(p) === CH('^')) {
      p++;
      start = CHAR_NOT;
    }
    const first = rule.length;
    while (this.at(p) !== CH(']')) {
      if (this.at(p) === 0) this.fail('unexpected end of input', p);
      const [v, q] = this.char(p);
      p = q;
      rule.push(first < rule.length ? CHAR_ALT : start, v);
      if (this.at(p) === CH('-') && this.at(p + 1) !== CH(']')) {
        if (this.at(p + 1) === 0) this.fail('unexpected end of input', p);
        const [u, r] = this.char(p + 1);
        rule.push(CHAR_RNG_UPPER, u);
        p = r;
      }
    }
    return p + 1;
  }

  /** `{m}`, `{m,}`, `{m,n}` after the `{`: [min, max, position after the `}`]. */
  braces(p: number, nested: boolean): [number, number, number] {
    if (!isDigit(this.at(p))) this.fail('expecting an int', p);
    let min: number;
    [min, p] = this.int(p);
    p = this.space(p, nested);
    let max = Infinity;
    if (this.at(p) === CH('}')) {
      max = min;
    } else if (this.at(p) === CH(',')) {
      p = this.space(p + 1, nested);
      if (isDigit(this.at(p))) {
        [max, p] = this.int(p);
        p = this.space(p, nested);
      }
      if (this.at(p) !== CH('}')) this.fail("expecting '}'", p);
    } else this.fail("expecting ','", p);
    p = this.space(p + 1, nested);
    if (min > MAX_REPETITION) this.fail(`more than ${MAX_REPETITION} repetitions`, p);
    if (max !== Infinity && max > MAX_REPETITION) max = Infinity;
    if (max < min) this.fail(`repetition {${min},${max}} has max < min`, p);
    return [min, max, p];
  }

  sequence(p: number, ruleName: string, rule: number[], nested: boolean): number {
    let lastStart = rule.length;
    let prevRules = 1;
    const item = () => {
      lastStart = rule.length;
      prevRules = 1;
    };
    for (;;) {
      const c = this.at(p);
      if (c === CH('"')) {
        item();
        p = this.space(this.literal(p + 1, rule), nested);
      } else if (c === CH('[')) {
        item();
        p = this.space(this.charClass(p + 1, rule), nested);
      } else if (c === CH('<') || c === CH('!')) {
        this.fail('token elements (<[id]>, <token>) are not supported', p);
      } else if (isWord(c)) {
        const e = this.name(p);
        const id = this.symbol(String.fromCodePoint(...this.cs.slice(p, e)));
        p = this.space(e, nested);
        item();
        rule.push(RULE_REF, id);
      } else if (c === CH('(')) {
        if (++this.depth > MAX_NESTING) this.fail(`groups nested deeper than ${MAX_NESTING}`, p);
        p = this.space(p + 1, true);
        const before = this.ids.size;
        const sub = this.generated(ruleName);
        p = this.alternates(p, ruleName, sub, true);
        prevRules = Math.max(1, this.ids.size - before);
        lastStart = rule.length;
        rule.push(RULE_REF, sub);
        if (this.at(p) !== CH(')')) this.fail("expecting ')'", p);
        this.depth--;
        p = this.space(p + 1, nested);
      } else if (c === CH('.')) {
        item();
        rule.push(CHAR_ANY, 0);
        p = this.space(p + 1, nested);
      } else if (c === CH('*') || c === CH('+') || c === CH('?')) {
        p = this.space(p + 1, nested);
        prevRules = this.repeat(rule, lastStart, prevRules, c === CH('+') ? 1 : 0, c === CH('?') ? 1 : Infinity, ruleName, p);
      } else if (c === CH('{')) {
        const [min, max, q] = this.braces(this.space(p + 1, nested), nested);
        p = q;
        prevRules = this.repeat(rule, lastStart, prevRules, min, max, ruleName, p);
      } else return p;
    }
  }

  rule(p: number): number {
    const e = this.name(p);
    const name = String.fromCodePoint(...this.cs.slice(p, e));
    let q = this.space(e, false);
    const id = this.symbol(name);
    if (!(this.at(q) === CH(':') && this.at(q + 1) === CH(':') && this.at(q + 2) === CH('='))) this.fail('expecting ::=', q);
    q = this.space(q + 3, true);
    q = this.alternates(q, name, id, false);
    if (this.at(q) === 13) q += this.at(q + 1) === 10 ? 2 : 1;
    else if (this.at(q) === 10) q++;
    else if (this.at(q) !== 0) this.fail('expecting newline or end', q);
    return this.space(q, true);
  }
}

/** Parses GBNF text; INVALID_ARGUMENT naming the place for bad syntax, an undefined rule, no `root`, or left recursion. */
export function parseGbnf(src: string, rootName = 'root'): Grammar {
  if (typeof src !== 'string') throw grammarError('the grammar must be a string');
  if (src.length > MAX_GRAMMAR_CHARS) throw grammarError(`longer than ${MAX_GRAMMAR_CHARS} characters`, { length: src.length });
  const ps = new Parser(src);
  let p = ps.space(0, true);
  while (ps.at(p) !== 0) p = ps.rule(p);
  const names: string[] = [];
  for (const [n, id] of ps.ids) names[id] = n;
  for (let i = 0; i < names.length; i++) {
    const r = ps.rules[i];
    if (!r || r.length === 0) throw grammarError(`undefined rule identifier '${names[i]}'`, { rule: names[i] });
  }
  const root = ps.ids.get(rootName);
  if (root === undefined) throw grammarError(`no '${rootName}' rule`, { rule: rootName });
  const ruleStart = new Int32Array(ps.rules.length);
  let n = 0;
  for (let i = 0; i < ps.rules.length; i++) {
    ruleStart[i] = n;
    n += ps.rules[i].length / 2;
  }
  const types = new Uint8Array(n);
  const values = new Uint32Array(n);
  let k = 0;
  for (const r of ps.rules) {
    for (let j = 0; j < r.length; j += 2, k++) {
      types[k] = r[j];
      values[k] = r[j + 1];
    }
  }
  const g: Grammar = { types, values, ruleStart, names, root };
  checkLeftRecursion(g);
  return g;
}

/** llama_grammar_detect_left_recursion: a rule reachable from itself at its left edge would make the matcher loop. */
function checkLeftRecursion(g: Grammar): void {
  const n = g.ruleStart.length;
  const inProgress = new Uint8Array(n);
  const visited = new Uint8Array(n);
  const mayBeEmpty = new Uint8Array(n);
  const isEnd = (i: number) => g.types[i] === END || g.types[i] === ALT;
  const visit = (r: number): boolean => {
    if (inProgress[r]) return true;
    inProgress[r] = 1;
    let atStart = true;
    for (let i = g.ruleStart[r]; ; i++) {
      if (isEnd(i)) {
        if (atStart) {
          mayBeEmpty[r] = 1;
          break;
        }
        atStart = true;
        if (g.types[i] === END) break;
      } else atStart = false;
    }
    let recurse = true;
    for (let i = g.ruleStart[r]; ; i++) {
      const t = g.types[i];
      if (t === RULE_REF && recurse) {
        if (visit(g.values[i])) return true;
        if (!mayBeEmpty[g.values[i]]) recurse = false;
      } else if (isEnd(i)) {
        recurse = true;
        if (t === END) break;
      } else recurse = false;
    }
    inProgress[r] = 0;
    visited[r] = 1;
    return false;
  };
  for (let r = 0; r < n; r++) {
    if (!visited[r] && visit(r)) throw grammarError(`left recursion in rule '${g.names[r]}'`, { rule: g.names[r] });
  }
}
