/**
 * A JSON Schema `pattern` as GBNF, for the regex subset llama.cpp's
 * _pattern_to_rule converts (common/json-schema-to-grammar.cpp): anchored
 * `^…$`, literals and escapes, `.`, `[…]` classes, `( )` and `(?: )` groups,
 * `|`, `* + ?` and `{m,n}`. A pattern outside the subset becomes any string
 * (llama.cpp warns and does the same); an invalid one is an error.
 */

export class UnsupportedPattern extends Error {}
export class InvalidPattern extends Error {}

const NON_LITERAL = new Set('|.()[]{}*+?^$');
const ESCAPED_IN_REGEX_ONLY = new Set('^$.[]()|{}*+?');
const MAX_DEPTH = 100;

/** gbnf_escape_length: the length of a GBNF-compatible escape at pos, 0 when none. */
function escapeLength(p: string, pos: number): number {
  if (pos + 1 >= p.length || p[pos] !== '\\') return 0;
  const c = p[pos + 1];
  const nHex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (nHex === 0) return 'trn\\"[]-'.includes(c) ? 2 : 0;
  if (pos + 2 + nHex > p.length) return 0;
  for (let i = pos + 2; i < pos + 2 + nHex; i++) if (!/[0-9a-fA-F]/.test(p[i])) return 0;
  return 2 + nHex;
}

export interface PatternHost {
  addRule(name: string, rule: string): string;
  buildRepetition(item: string, min: number, max: number, sep?: string): string;
}

type Item = [text: string, literal: boolean];
const toRule = ([s, lit]: Item) => (lit ? `"${s}"` : s);

/** Joins a sequence, merging consecutive literals. */
function joinSeq(seq: Item[]): Item {
  const ret: Item[] = [];
  let literal = '';
  for (const it of seq) {
    if (it[1]) literal += it[0];
    else {
      if (literal) ret.push([literal, true]);
      literal = '';
      ret.push(it);
    }
  }
  if (literal) ret.push([literal, true]);
  return [ret.map(toRule).join(' '), false];
}

class PatternParser {
  i = 0;
  depth = 0;
  private readonly subRuleIds = new Map<string, string>();

  constructor(
    private readonly sub: string,
    private readonly name: string,
    private readonly host: PatternHost,
  ) {}

  transform(): Item {
    const { sub } = this;
    const seq: Item[] = [];
    while (this.i < sub.length) {
      const c = sub[this.i];
      if (c === '.') {
        seq.push([this.host.addRule('dot', '[^\\x0A\\x0D]'), false]);
        this.i++;
      } else if (c === '(') {
        this.i++;
        if (sub[this.i] === '?') {
          if (sub[this.i + 1] === ':') this.i += 2;
          else throw new UnsupportedPattern('unsupported group syntax');
        }
        if (++this.depth > MAX_DEPTH) throw new UnsupportedPattern('pattern nesting too deep');
        seq.push([`(${toRule(this.transform())})`, false]);
      } else if (c === ')') {
        this.i++;
        if (this.depth === 0) throw new InvalidPattern('unbalanced parentheses');
        this.depth--;
        return joinSeq(seq);
      } else if (c === '^' || c === '$') {
        throw new UnsupportedPattern('anchor inside the pattern');
      } else if (c === '[') {
        seq.push([this.charClass(), false]);
      } else if (c === '|') {
        seq.push(['|', false]);
        this.i++;
      } else if (c === '*' || c === '+' || c === '?') {
        if (seq.length === 0) throw new InvalidPattern('nothing to repeat');
        seq[seq.length - 1] = [toRule(seq[seq.length - 1]) + c, false];
        this.i++;
      } else if (c === '{') {
        this.curly(seq);
      } else {
        seq.push([this.literal(c), true]);
      }
    }
    return joinSeq(seq);
  }

  private charClass(): string {
    const { sub } = this;
    let sq = '[';
    this.i++;
    while (this.i < sub.length && sub[this.i] !== ']') {
      if (sub[this.i] === '\\') {
        const n = escapeLength(sub, this.i);
        if (n === 0) throw new UnsupportedPattern(`unsupported escape in character class: ${sub.slice(this.i, this.i + 2)}`);
        sq += sub.slice(this.i, this.i + n);
        this.i += n;
      } else sq += sub[this.i++];
    }
    if (this.i >= sub.length) throw new InvalidPattern('unterminated character class');
    this.i++;
    return sq + ']';
  }

  /** `{m}`, `{m,}`, `{,n}`, `{m,n}` applied to the last item. */
  private curly(seq: Item[]): void {
    const { sub } = this;
    let curly = '';
    this.i++;
    while (this.i < sub.length && sub[this.i] !== '}') curly += sub[this.i++];
    if (this.i >= sub.length) throw new UnsupportedPattern('unterminated curly brackets');
    this.i++;
    const nums = curly.split(',');
    if (nums.length !== 1 && nums.length !== 2) throw new UnsupportedPattern('wrong number of values in curly brackets');
    const int = (x: string) => {
      const m = /^\s*[-+]?\d+/.exec(x);
      if (!m) throw new UnsupportedPattern('invalid number in curly brackets');
      return parseInt(m[0], 10);
    };
    let min = 0;
    let max = Infinity;
    if (nums.length === 1) min = max = int(nums[0]);
    else {
      if (nums[0] !== '') min = int(nums[0]);
      if (nums[1] !== '') max = int(nums[1]);
    }
    if (seq.length === 0) throw new InvalidPattern('nothing to repeat');
    const [text, literal] = seq[seq.length - 1];
    let item = text;
    if (!literal) {
      let id = this.subRuleIds.get(text);
      if (id === undefined) {
        id = this.host.addRule(`${this.name}-${this.subRuleIds.size + 1}`, text);
        this.subRuleIds.set(text, id);
      }
      item = id;
    }
    seq[seq.length - 1] = [this.host.buildRepetition(literal ? `"${item}"` : item, min, max, ''), false];
  }

  /** A run of literal characters (escapes resolved); a quantifier after it takes its last character alone. */
  private literal(c: string): string {
    const { sub } = this;
    let literal = '';
    while (this.i < sub.length) {
      const ch = sub[this.i];
      if (ch === '\\') {
        if (this.i === sub.length - 1) throw new InvalidPattern('trailing backslash');
        const next = sub[this.i + 1];
        if (ESCAPED_IN_REGEX_ONLY.has(next)) {
          literal += next;
          this.i += 2;
        } else {
          const n = escapeLength(sub, this.i);
          if (n === 0) throw new UnsupportedPattern(`unsupported escape: ${sub.slice(this.i, this.i + 2)}`);
          literal += sub.slice(this.i, this.i + n);
          this.i += n;
        }
      } else if (ch === '"') {
        literal += '\\"';
        this.i++;
      } else if (!NON_LITERAL.has(ch) && (this.i === sub.length - 1 || literal === '' || sub[this.i + 1] === '.' || !NON_LITERAL.has(sub[this.i + 1]))) {
        literal += ch;
        this.i++;
      } else break;
    }
    if (literal === '') throw new UnsupportedPattern(`unsupported character: ${c}`);
    return literal;
  }
}

/** The rule for an anchored pattern: `"\"" (…) "\""`. */
export function patternToRule(pattern: string, name: string, host: PatternHost): string {
  if (pattern.length < 2 || pattern[0] !== '^' || pattern[pattern.length - 1] !== '$') throw new UnsupportedPattern("not anchored with '^' and '$'");
  const p = new PatternParser(pattern.slice(1, -1), name, host);
  const rule = toRule(p.transform());
  if (p.depth !== 0) throw new InvalidPattern('unbalanced parentheses');
  return host.addRule(name, `"\\"" (${rule}) "\\""`);
}
