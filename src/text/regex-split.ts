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
  /**
   * Without lookaround or anchors, a match inside a piece is found by searching
   * the whole text from the piece's start (no copy of the piece); with them,
   * each piece is searched on its own.
   */
  readonly local: boolean;
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
  const local = /\(\?[=!<]|\$|\^|\\[bB]/.test(out);
  return { re: new RegExp(out, collapsed ? 'g' : 'gu'), collapsed, local };
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

/** splitOnce for regexes without lookaround or anchors: one forward search over the whole text. */
function splitSearch(p: Prepared, rx: SplitRegex, offsets: number[]): number[] {
  const out: number[] = [];
  const re = rx.re;
  const src = rx.collapsed ? p.collapsed : p.wide;
  const toUnit = (cp: number) => (!rx.collapsed && p.unitOf ? p.unitOf[cp] : cp);
  const toCp = (u: number) => (!rx.collapsed && p.cpOf ? p.cpOf[u] : u);
  let next: RegExpExecArray | null = null; // the first match at or after the search point
  let searchedFrom = -1;
  let start = 0;
  for (const len of offsets) {
    const uStart = toUnit(start);
    const uEnd = toUnit(start + len);
    let prev = uStart;
    for (;;) {
      if (next === null || next.index < prev) {
        if (searchedFrom >= 0 && next === null && searchedFrom <= prev) break; // nothing further in the text
        re.lastIndex = prev;
        searchedFrom = prev;
        next = re.exec(src);
        if (next === null) break;
      }
      if (next.index >= uEnd) break;
      const mEnd = next.index + next[0].length;
      if (next[0].length === 0) {
        re.lastIndex = next.index + 1;
        searchedFrom = next.index + 1;
        next = re.exec(src);
        continue;
      }
      if (mEnd > uEnd) {
        // the match runs past the piece: search the rest of the piece on its own
        prev = localSearch(re, src, prev, uEnd, out, toCp);
        next = null;
        searchedFrom = -1;
        break;
      }
      if (next.index > prev) out.push(toCp(next.index) - toCp(prev));
      out.push(toCp(mEnd) - toCp(next.index));
      prev = mEnd;
      next = null;
      searchedFrom = -1;
    }
    if (prev < uEnd) out.push(toCp(uEnd) - toCp(prev));
    start += len;
  }
  return out;
}

/** Matches of `re` in src[from, end) searched on that substring alone; pushes pieces up to the last match, returns where it ended. */
function localSearch(re: RegExp, src: string, from: number, end: number, out: number[], toCp: (u: number) => number): number {
  const sub = src.substring(from, end);
  re.lastIndex = 0;
  let prev = 0;
  for (let m = re.exec(sub); m !== null; m = re.exec(sub)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (m.index > prev) out.push(toCp(from + m.index) - toCp(from + prev));
    out.push(toCp(from + m.index + m[0].length) - toCp(from + m.index));
    prev = m.index + m[0].length;
  }
  return from + prev;
}

function splitOnce(p: Prepared, rx: SplitRegex, offsets: number[]): number[] {
  if (!rx.local) return splitSearch(p, rx, offsets);
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
  const p = prepare(
    text,
    regexes.some((r) => r.collapsed),
  );
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
