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

export function partition(vocab: Vocab, text: string, parseSpecial: boolean): Fragment[] {
  let frags: Fragment[] = [text];
  for (const id of vocab.specials) {
    const attr = vocab.attrs[id];
    if (!parseSpecial && attr & (ATTR_CONTROL | ATTR_UNKNOWN)) continue;
    const tok = vocab.tokens[id];
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
