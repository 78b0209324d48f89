/**
 * Special-token partitioning (llama.cpp's tokenizer_st_partition): before
 * tokenizing, each special token's text, longest first, is cut out of the raw
 * text as a whole token. Control and unknown tokens only when the caller says the
 * text may hold them (parseSpecial); user-defined tokens always, as llama.cpp does.
 * LSTRIP / RSTRIP tokens also swallow the ASCII whitespace beside them.
 */
import { ATTR_CONTROL, ATTR_LSTRIP, ATTR_RSTRIP, ATTR_UNKNOWN, type Vocab } from './vocab.ts';

export type Fragment = string | number;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

// Which characters and character pairs the text holds: a special token whose
// first character or first pair is absent cannot occur, so most of a large
// list of specials is skipped without a search. Reused, and cleared after use.
const seenChar = new Uint8Array(65536);
const seenPair = new Uint8Array(65536);
const pairHash = (a: number, b: number) => (Math.imul(a, 40503) ^ b) & 0xffff;

function mark(text: string, v: number): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    seenChar[c] = v;
    if (i + 1 < text.length) seenPair[pairHash(c, text.charCodeAt(i + 1))] = v;
  }
}

export function partition(vocab: Vocab, text: string, parseSpecial: boolean): Fragment[] {
  mark(text, 1);
  try {
    return split(vocab, text, parseSpecial);
  } finally {
    mark(text, 0);
  }
}

const byFirstChar = new WeakMap<Vocab, Map<number, number[]>>();

/** Positions in vocab.specials of the specials starting with each character. */
function firstCharIndex(vocab: Vocab): Map<number, number[]> {
  let m = byFirstChar.get(vocab);
  if (!m) {
    m = new Map();
    vocab.specials.forEach((id, i) => {
      const c = vocab.tokens[id].charCodeAt(0);
      const list = m!.get(c);
      if (list) list.push(i);
      else m!.set(c, [i]);
    });
    byFirstChar.set(vocab, m);
  }
  return m;
}

/** The specials to try, in the global order (longest first): all of them, or for a short text only those starting with one of its characters. */
function candidates(vocab: Vocab, text: string): number[] {
  if (text.length * 4 >= vocab.specials.length) return vocab.specials;
  const index = firstCharIndex(vocab);
  const chars = new Set<number>();
  for (let i = 0; i < text.length; i++) chars.add(text.charCodeAt(i));
  const at: number[] = [];
  for (const c of chars) {
    const list = index.get(c);
    if (list) at.push(...list);
  }
  return at.sort((a, b) => a - b).map((i) => vocab.specials[i]);
}

function split(vocab: Vocab, text: string, parseSpecial: boolean): Fragment[] {
  let frags: Fragment[] = [text];
  for (const id of candidates(vocab, text)) {
    const attr = vocab.attrs[id];
    if (!parseSpecial && attr & (ATTR_CONTROL | ATTR_UNKNOWN)) continue;
    const tok = vocab.tokens[id];
    const c0 = tok.charCodeAt(0);
    if (!seenChar[c0] || (tok.length > 1 && !seenPair[pairHash(c0, tok.charCodeAt(1))])) continue;
    let next: Fragment[] | null = null;
    for (let f = 0; f < frags.length; f++) {
      const frag = frags[f];
      if (typeof frag !== 'string' || frag.indexOf(tok) < 0) {
        next?.push(frag);
        continue;
      }
      next ??= frags.slice(0, f);
      let from = 0;
      const end = frag.length;
      for (;;) {
        const at = frag.indexOf(tok, from);
        if (at < 0 || at >= end) {
          if (from < end) next.push(frag.substring(from, end));
          break;
        }
        let leftEnd = at;
        if (attr & ATTR_LSTRIP) while (leftEnd > from && isSpace(frag.charCodeAt(leftEnd - 1))) leftEnd--;
        if (leftEnd > from) next.push(frag.substring(from, leftEnd));
        next.push(id);
        from = at + tok.length;
        if (attr & ATTR_RSTRIP) while (from < end && isSpace(frag.charCodeAt(from))) from++;
        if (from >= end) break;
      }
    }
    if (next) frags = next;
  }
  return frags;
}
