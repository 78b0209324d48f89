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

/** The rule body `"\"" (…) "\""` for an anchored pattern. */
export function patternToRule(pattern: string, name: string, host: PatternHost): string {
  if (pattern.length < 2 || pattern[0] !== '^' || pattern[pattern.length - 1] !== '$') throw new UnsupportedPattern("not anchored with '^' and '$'");
  const sub = pattern.slice(1, -1);
  const subRuleIds = new Map<string, string>();
  let i = 0;
  let depth = 0;
  type Item = [string, boolean]; // [text, isLiteral]
  const toRule = ([s, lit]: Item) => (lit ? `"${s}"` : s);
  const transform = (): Item => {
    const seq: Item[] = [];
    const joinSeq = (): Item => {
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
    };
    while (i < sub.length) {
      const c = sub[i];
      if (c === '.') {
        seq.push([host.addRule('dot', '[^\\x0A\\x0D]'), false]);
        i++;
      } else if (c === '(') {
        i++;
        if (sub[i] === '?') {
          if (sub[i + 1] === ':') i += 2;
          else throw new UnsupportedPattern('unsupported group syntax');
        }
        if (++depth > MAX_DEPTH) throw new UnsupportedPattern('pattern nesting too deep');
        seq.push([`(${toRule(transform())})`, false]);
      } else if (c === ')') {
        i++;
        if (depth === 0) throw new InvalidPattern('unbalanced parentheses');
        depth--;
        return joinSeq();
      } else if (c === '^' || c === '$') {
        throw new UnsupportedPattern('anchor inside the pattern');
      } else if (c === '[') {
        let sq = '[';
        i++;
        while (i < sub.length && sub[i] !== ']') {
          if (sub[i] === '\\') {
            const n = escapeLength(sub, i);
            if (n === 0) throw new UnsupportedPattern(`unsupported escape in character class: ${sub.slice(i, i + 2)}`);
            sq += sub.slice(i, i + n);
            i += n;
          } else sq += sub[i++];
        }
        if (i >= sub.length) throw new InvalidPattern('unterminated character class');
        sq += ']';
        i++;
        seq.push([sq, false]);
      } else if (c === '|') {
        seq.push(['|', false]);
        i++;
      } else if (c === '*' || c === '+' || c === '?') {
        if (seq.length === 0) throw new InvalidPattern('nothing to repeat');
        seq[seq.length - 1] = [toRule(seq[seq.length - 1]) + c, false];
        i++;
      } else if (c === '{') {
        let curly = '{';
        i++;
        while (i < sub.length && sub[i] !== '}') curly += sub[i++];
        if (i >= sub.length) throw new UnsupportedPattern('unterminated curly brackets');
        i++;
        const nums = curly.slice(1).split(',');
        if (nums.length !== 1 && nums.length !== 2) throw new UnsupportedPattern('wrong number of values in curly brackets');
        const int = (s: string) => {
          const m = /^\s*[-+]?\d+/.exec(s);
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
        const last = seq[seq.length - 1];
        let s = last[0];
        if (!last[1]) {
          let id = subRuleIds.get(s);
          if (id === undefined) {
            id = host.addRule(`${name}-${subRuleIds.size + 1}`, s);
            subRuleIds.set(s, id);
          }
          s = id;
        }
        seq[seq.length - 1] = [host.buildRepetition(last[1] ? `"${s}"` : s, min, max, ''), false];
      } else {
        let literal = '';
        while (i < sub.length) {
          if (sub[i] === '\\') {
            if (i === sub.length - 1) throw new InvalidPattern('trailing backslash');
            const next = sub[i + 1];
            if (ESCAPED_IN_REGEX_ONLY.has(next)) {
              literal += next;
              i += 2;
            } else {
              const n = escapeLength(sub, i);
              if (n === 0) throw new UnsupportedPattern(`unsupported escape: ${sub.slice(i, i + 2)}`);
              literal += sub.slice(i, i + n);
              i += n;
            }
          } else if (sub[i] === '"') {
            literal += '\\"';
            i++;
          } else if (!NON_LITERAL.has(sub[i]) && (i === sub.length - 1 || literal === '' || sub[i + 1] === '.' || !NON_LITERAL.has(sub[i + 1]))) {
            literal += sub[i++];
          } else break;
        }
        if (literal === '') throw new UnsupportedPattern(`unsupported character: ${c}`);
        seq.push([literal, true]);
      }
    }
    return joinSeq();
  };
  const rule = toRule(transform());
  if (depth !== 0) throw new InvalidPattern('unbalanced parentheses');
  return host.addRule(name, `"\\"" (${rule}) "\\""`);
}
