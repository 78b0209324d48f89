/**
 * Token ids back to bytes (llama.cpp's token_to_piece and detokenize): a
 * normal SPM/WPM token's "▁" is a space, a byte token is its byte, a BPE token's
 * characters map back through GPT-2's byte table, user-defined tokens are their
 * text, control and unknown tokens render only when asked. `detokenize` strips
 * the SPM prefix space from the first token and applies llama.cpp's clean-up of
 * " ." , " 's" and the like where the vocabulary asks for it.
 */
import { GgufPagerError } from '../errors.ts';
import { CHAR_TO_BYTE, utf8 } from './unicode.ts';
import { ATTR_BYTE, ATTR_CONTROL, ATTR_NORMAL, ATTR_UNKNOWN, ATTR_USER_DEFINED, type Vocab } from './vocab.ts';

const EMPTY = new Uint8Array(0);

function bpeBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
    if (b !== undefined) out.push(b);
    else {
      // llama.cpp's llama_decode_text writes a character outside the byte table this way
      const hex = Array.from(utf8(ch), (x) => x.toString(16).padStart(2, '0')).join('');
      out.push(...utf8(`[UNK_BYTE_0x${hex}${text}]`));
    }
  }
  return Uint8Array.from(out);
}

export class Pieces {
  private readonly cache: (Uint8Array | undefined)[];

  constructor(private readonly vocab: Vocab) {
    this.cache = new Array(vocab.tokens.length);
  }

  check(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocab.tokens.length) {
      throw new GgufPagerError('TOKEN_OUT_OF_RANGE', `token id ${id} is outside the vocabulary of ${this.vocab.tokens.length} tokens (${this.vocab.name})`, {
        id,
        vocabSize: this.vocab.tokens.length,
      });
    }
  }

  /** The bytes of one token (empty for control/unknown tokens unless `special`). */
  bytes(id: number, special: boolean): Uint8Array {
    this.check(id);
    const attr = this.vocab.attrs[id];
    if (!special && attr & (ATTR_CONTROL | ATTR_UNKNOWN)) return EMPTY;
    let b = this.cache[id];
    if (b === undefined) this.cache[id] = b = this.compute(id, attr);
    return b;
  }

  private compute(id: number, attr: number): Uint8Array {
    const text = this.vocab.tokens[id];
    if (attr & (ATTR_CONTROL | ATTR_UNKNOWN | ATTR_USER_DEFINED)) return utf8(text);
    if (this.vocab.model === 'gpt2') return attr & ATTR_NORMAL ? bpeBytes(text) : EMPTY;
    if (attr & ATTR_NORMAL) return utf8(text.replaceAll('\u2581', ' '));
    if (attr & ATTR_BYTE) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(text);
      return m ? Uint8Array.of(parseInt(m[1], 16)) : utf8(text).subarray(0, 1);
    }
    return EMPTY;
  }

  /** llama_detokenize(remove_special = false, unparse_special = special) as bytes. */
  detokenize(ids: readonly number[], special: boolean): Uint8Array {
    let total = 0;
    const parts: Uint8Array[] = [];
    let removeSpace = this.vocab.addSpacePrefix;
    for (const id of ids) {
      let b = this.bytes(id, special);
      if (removeSpace && b.length > 0 && b[0] === 0x20) b = b.subarray(1);
      removeSpace = false;
      parts.push(b);
      total += b.length;
    }
    let out: Uint8Array = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    if (this.vocab.cleanSpaces) out = cleanSpaces(out);
    return out;
  }
}

/** llama.cpp's three clean-up passes over the decoded bytes (clean_spaces). */
export function cleanSpaces(text: Uint8Array): Uint8Array {
  const t = Uint8Array.from(text);
  const SP = 0x20,
    Q = 0x27;
  // first pass: " ?", " !", " .", " ,"
  let total1 = t.length;
  let total = total1 ? 1 : 0;
  for (let i = 1; i < total1; i++) {
    const x = t[i];
    if (t[i - 1] === SP && (x === 0x3f || x === 0x21 || x === 0x2e || x === 0x2c)) total--;
    t[total++] = x;
  }
  // second pass: " ' " loses both spaces
  const total2 = total;
  total = total ? 1 : 0;
  for (let i = 1; i < total2; i++) {
    const x = t[i];
    if (x === Q && i + 1 < total2 && t[i - 1] === SP && t[i + 1] === SP) {
      total--;
      t[++i] = 0;
    }
    t[total++] = x;
  }
  // third pass: " 's", " 'm", " 're", " 've" lose their space
  const total3 = total;
  total = total ? 1 : 0;
  for (let i = 1; i < total3; i++) {
    const x = t[i];
    if (t[i - 1] === SP && x === Q && i + 1 < total3) {
      const x1 = t[i + 1];
      if (x1 === 0x73 || x1 === 0x6d) total--;
      else if (i + 2 < total3) {
        const x2 = t[i + 2];
        if ((x1 === 0x72 && x2 === 0x65) || (x1 === 0x76 && x2 === 0x65)) total--;
      }
    }
    t[total++] = x;
  }
  total1 = total;
  return t.subarray(0, total1);
}
