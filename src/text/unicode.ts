/**
 * Unicode helpers shared by the tokenizers, following llama.cpp's src/unicode.cpp:
 * its whitespace set, one category per code point (letter, number, punctuation,
 * accent mark, symbol, other), the GPT-2 byte↔character map, and UTF-8 sizes.
 */

/** Category codes, as llama.cpp's regex "collapse" writes them (k_ucat_cpt). */
export const CAT_OTHER = 0xd0;
export const CAT_NUMBER = 0xd1;
export const CAT_LETTER = 0xd2;
export const CAT_PUNCT = 0xd3;
export const CAT_MARK = 0xd4;
export const CAT_SYMBOL = 0xd5;

/** llama.cpp's whitespace set (unicode_set_whitespace); JS's \s differs (U+FEFF in, U+0085 out). */
export function isWhitespace(cp: number): boolean {
  return (
    (cp >= 0x09 && cp <= 0x0d) ||
    cp === 0x20 ||
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

const RE_L = /^\p{L}$/u;
const RE_N = /^\p{N}$/u;
const RE_P = /^\p{P}$/u;
const RE_M = /^\p{M}$/u;
const RE_S = /^\p{S}$/u;
const RE_C = /^\p{C}$/u;

let categories: Uint8Array | null = null;

function computeCategory(cp: number): number {
  const s = String.fromCodePoint(cp);
  if (RE_L.test(s)) return CAT_LETTER;
  if (RE_N.test(s)) return CAT_NUMBER;
  if (RE_P.test(s)) return CAT_PUNCT;
  if (RE_M.test(s)) return CAT_MARK;
  if (RE_S.test(s)) return CAT_SYMBOL;
  return CAT_OTHER;
}

/** The general category of a code point as one of the CAT_* codes (cached per code point). */
export function categoryOf(cp: number): number {
  if (cp > 0x10ffff || cp < 0) return CAT_OTHER;
  categories ??= new Uint8Array(0x110000);
  let c = categories[cp];
  if (c === 0) categories[cp] = c = computeCategory(cp);
  return c;
}

const RE_CN = /^\p{Cn}$/u;
/** llama.cpp's is_control: general category C*, unassigned code points excluded. */
export function isControl(cp: number): boolean {
  const s = String.fromCodePoint(cp);
  return RE_C.test(s) && !RE_CN.test(s);
}

/** Code points of a string; lone surrogates become U+FFFD (as UTF-8 encoding would). */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
  }
  return out;
}

/** The string with lone surrogates replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return /[\ud800-\udfff]/.test(text) ? String.fromCodePoint(...codePoints(text)) : text;
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n. */
export const BYTE_TO_CHAR: string[] = (() => {
  const map: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = String.fromCharCode(printable ? b : 256 + n++);
  }
  return map;
})();

/** The inverse of BYTE_TO_CHAR: code point → byte, or -1. */
export const CHAR_TO_BYTE: Map<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/** A string's UTF-8 bytes written as GPT-2 byte characters. */
const ASCII_TEXT = /^[\x00-\x7f]*$/;
const ASCII_UNPRINTABLE = /[\x00-\x20\x7f]/g;
const mapByte = (c: string) => BYTE_TO_CHAR[c.charCodeAt(0)];

export function byteEncode(text: string): string {
  // printable ASCII maps to itself: only spaces and control characters change
  if (ASCII_TEXT.test(text)) return text.replace(ASCII_UNPRINTABLE, mapByte);
  let out = '';
  for (const b of utf8(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/** Simple lowercase mapping of one code point (the first code point of JS's full mapping). */
export function toLower(cp: number): number {
  if (cp < 0x80) return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
  return String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
}

/** llama.cpp's NFD: each code point replaced by the first code point of its decomposition. */
export function nfdFirst(cp: number): number {
  if (cp < 0xc0) return cp;
  return String.fromCodePoint(cp).normalize('NFD').codePointAt(0)!;
}
