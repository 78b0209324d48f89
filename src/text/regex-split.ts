/**
 * llama.cpp's unicode_regex_split in JavaScript. Each regex splits every piece
 * the previous one produced (matches and the text between them both become
 * pieces). A regex naming \p{L}, \p{N}, \p{P}, \p{M} or \p{S} runs, as in
 * llama.cpp, on a "collapsed" copy of the text where every non-ASCII code point
 * is one character standing for its category (non-ASCII whitespace is \x0B),
 * with each \p{X} rewritten to that character plus its ASCII members. Other
 * regexes run on the code points themselves. \s is llama.cpp's ASCII set.
 */
import { categoryOf, codePoints, isWhitespace } from './unicode.ts';

const WS_IN_CLASS = '\\t\\n\\x0B\\f\\r ';
const CATEGORY_CLASS: Record<string, string> = {
  N: '\\xD1' + '0-9',
  L: '\\xD2' + 'A-Za-z',
  P: '\\xD3' + '!-#%-*,-/:-;?-@\\[-\\]_\\{\\}',
  M: '\\xD4',
  S: '\\xD5' + '\\$\\+<->\\^`\\|',
};

export interface SplitRegex {
  readonly re: RegExp;
  /** Runs on the collapsed text (one character per code point) rather than on the code points. */
  readonly collapsed: boolean;
}

/** Rewrites one llama.cpp regex for JavaScript (see the file comment). */
export function compileSplitRegex(source: string): SplitRegex {
  const collapsed = /\\p\{[NLPMS]\}/.test(source);
  let out = '';
  let inside = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && i + 1 < source.length) {
      const n = source[i + 1];
      if (n === 's') out += inside ? WS_IN_CLASS : `[${WS_IN_CLASS}]`;
      else if (n === 'S') {
        if (inside) throw new Error(`\\S inside a class is not supported: ${source}`);
        out += `[^${WS_IN_CLASS}]`;
      } else if (collapsed && n === 'p' && source[i + 2] === '{' && source[i + 4] === '}' && CATEGORY_CLASS[source[i + 3]] !== undefined) {
        const cls = CATEGORY_CLASS[source[i + 3]];
        out += inside ? cls : `[${cls}]`;
        i += 3;
      } else out += c + n;
      i++;
      continue;
    }
    if (c === '[' && !inside) inside = true;
    else if (c === ']' && inside) inside = false;
    out += c;
  }
  return { re: new RegExp(out, collapsed ? 'g' : 'gu'), collapsed };
}

/** The text prepared once for all regexes of a pre-tokenizer. */
interface Prepared {
  /** Number of code points. */
  n: number;
  collapsed: string;
  /** The text with non-ASCII whitespace as \x0B (same UTF-16 length as the text). */
  wide: string;
  /** Code point index → UTF-16 offset (null when they are equal). */
  unitOf: Int32Array | null;
  /** UTF-16 offset → code point index (null when they are equal). */
  cpOf: Int32Array | null;
}

const ASCII = /^[\x00-\x7f]*$/;

function prepare(text: string, needCollapse: boolean): Prepared {
  if (ASCII.test(text)) return { n: text.length, collapsed: text, wide: text, unitOf: null, cpOf: null };
  const cps = codePoints(text);
  const n = cps.length;
  const astral = n !== text.length;
  const unitOf = astral ? new Int32Array(n + 1) : null;
  const cpOf = astral ? new Int32Array(text.length + 1) : null;
  const col: number[] = new Array(needCollapse ? n : 0);
  let wide = '';
  let u = 0;
  for (let i = 0; i < n; i++) {
    const cp = cps[i];
    if (unitOf && cpOf) {
      unitOf[i] = u;
      cpOf[u] = i;
      if (cp > 0xffff) cpOf[u + 1] = i;
    }
    u += cp > 0xffff ? 2 : 1;
    const ws = cp >= 0x80 && isWhitespace(cp);
    if (needCollapse) col[i] = cp < 0x80 ? cp : ws ? 0x0b : categoryOf(cp);
    if (!ws) wide += String.fromCodePoint(cp);
    else wide += '\x0b';
  }
  if (unitOf && cpOf) {
    unitOf[n] = u;
    cpOf[u] = n;
  }
  let collapsed = '';
  for (let i = 0; i < col.length; i += 8192) collapsed += String.fromCharCode(...col.slice(i, i + 8192));
  return { n, collapsed, wide, unitOf, cpOf };
}

function splitOnce(p: Prepared, rx: SplitRegex, offsets: number[]): number[] {
  const out: number[] = [];
  const re = rx.re;
  let start = 0;
  for (const len of offsets) {
    let sub: string;
    let base = 0;
    if (rx.collapsed) sub = p.collapsed.substring(start, start + len);
    else {
      base = p.unitOf ? p.unitOf[start] : start;
      sub = p.wide.substring(base, p.unitOf ? p.unitOf[start + len] : start + len);
    }
    re.lastIndex = 0;
    let prev = 0; // code points consumed in this piece
    for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      let at = m.index;
      let end = at + m[0].length;
      if (!rx.collapsed && p.cpOf) {
        at = p.cpOf[base + at] - start;
        end = p.cpOf[base + end] - start;
      }
      if (at > prev) out.push(at - prev);
      out.push(end - at);
      prev = end;
    }
    if (prev < len) out.push(len - prev);
    start += len;
  }
  return out;
}

/** Splits text into pre-tokenizer words (substrings of `text`, which must be well-formed). */
export function regexSplit(text: string, regexes: readonly SplitRegex[]): string[] {
  if (text.length === 0) return [];
  const p = prepare(text, regexes.some((r) => r.collapsed));
  let offsets = [p.n];
  for (const rx of regexes) offsets = splitOnce(p, rx, offsets);
  const words: string[] = new Array(offsets.length);
  let cp = 0;
  for (let i = 0; i < offsets.length; i++) {
    const a = p.unitOf ? p.unitOf[cp] : cp;
    cp += offsets[i];
    words[i] = text.substring(a, p.unitOf ? p.unitOf[cp] : cp);
  }
  return words;
}
