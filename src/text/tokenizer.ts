/**
 * createTokenizer: a model's tokenizer from its GGUF metadata (tokenizer.ggml.*),
 * behaving as llama.cpp's llama_tokenize / llama_detokenize.
 */
import { BpeEncoder } from './bpe.ts';
import { Pieces } from './pieces.ts';
import { partition } from './special.ts';
import { SpmEncoder } from './spm.ts';
import { wellFormed } from './unicode.ts';
import { loadVocab, type TokenizerMetadata, type TokenizerModel, type Vocab } from './vocab.ts';
import { WpmEncoder } from './wpm.ts';

export interface EncodeOptions {
  /** Add BOS / EOS as the metadata asks (tokenizer.ggml.add_bos_token / add_eos_token). Default true. */
  addSpecial?: boolean;
  /** Match control tokens written in the text (`<|im_start|>`) as single tokens. Default false. */
  parseSpecial?: boolean;
}

export interface DecodeOptions {
  /** Render control and unknown tokens as their text. Default false. */
  renderSpecial?: boolean;
}

export interface Tokenizer {
  readonly model: TokenizerModel;
  readonly vocabSize: number;
  readonly bos: number | null;
  readonly eos: number | null;
  readonly eogIds: ReadonlySet<number>;
  readonly addBos: boolean;
  readonly addEos: boolean;
  /** SentencePiece's leading space: encode adds it, decode strips it from the first token. */
  readonly addSpacePrefix: boolean;
  /** `tokenizer.ggml.pre` as used (gpt2 model only), e.g. 'llama3'. */
  readonly preTokenizer: string | null;
  readonly warnings: readonly string[];
  encode(text: string, opts?: EncodeOptions): number[];
  decode(ids: readonly number[], opts?: DecodeOptions): string;
  /** The bytes of one token as text (renders special tokens; lone bytes of a character show as U+FFFD). */
  piece(id: number): string;
  /** The UTF-8 bytes one token contributes to a decoded text. */
  pieceBytes(id: number, renderSpecial?: boolean): Uint8Array;
  /** The vocabulary entry of a token, as stored in the GGUF. */
  tokenText(id: number): string;
  /** A token's id from its exact vocabulary text, or null. */
  tokenId(text: string): number | null;
  isEog(id: number): boolean;
}

// ignoreBOM: a leading U+FEFF is text, not a byte-order mark to drop
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The data members of a Tokenizer (its methods left out). */
type TokenizerInfo = { readonly [K in keyof Tokenizer as Tokenizer[K] extends (...args: never[]) => unknown ? never : K]: Tokenizer[K] };

/** What a tokenizer tells of itself, from its vocabulary. */
function tokenizerInfo(vocab: Vocab): TokenizerInfo {
  return {
    model: vocab.model,
    vocabSize: vocab.tokens.length,
    bos: vocab.bos,
    eos: vocab.eos,
    eogIds: vocab.eogIds,
    addBos: vocab.addBos,
    addEos: vocab.addEos,
    addSpacePrefix: vocab.addSpacePrefix,
    preTokenizer: vocab.pre?.type ?? null,
    warnings: vocab.warnings,
  };
}

/** A Tokenizer's methods (createTokenizer adds its TokenizerInfo). */
class GgufTokenizer implements Omit<Tokenizer, keyof TokenizerInfo> {
  private readonly pieces: Pieces;
  private readonly spm: SpmEncoder | null = null;
  private readonly bpe: BpeEncoder | null = null;
  private readonly wpm: WpmEncoder | null = null;

  constructor(private readonly vocab: Vocab) {
    this.pieces = new Pieces(vocab);
    if (vocab.model === 'llama') this.spm = new SpmEncoder(vocab);
    else if (vocab.model === 'gpt2') this.bpe = new BpeEncoder(vocab);
    else this.wpm = new WpmEncoder(vocab);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const addSpecial = opts.addSpecial ?? true;
    const { bos, eos, addBos, addEos, addSpacePrefix } = this.vocab;
    const out: number[] = [];
    if (addSpecial && addBos && bos !== null) out.push(bos);
    const frags = text.length ? partition(this.vocab, wellFormed(text), opts.parseSpecial ?? false) : [];
    let prevSpecial = true;
    for (const frag of frags) {
      if (typeof frag === 'number') {
        out.push(frag);
        prevSpecial = true;
        continue;
      }
      if (this.spm) {
        this.spm.encode((addSpacePrefix && prevSpecial ? ' ' : '') + frag, out);
      } else if (this.bpe) this.bpe.encode(frag, out);
      else this.wpm!.encode(frag, out);
      prevSpecial = false;
    }
    if (addSpecial && addEos && eos !== null) out.push(eos);
    return out;
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    return decoder.decode(this.pieces.detokenize(ids, opts.renderSpecial ?? false));
  }

  piece(id: number): string {
    return decoder.decode(this.pieces.bytes(id, true));
  }

  pieceBytes(id: number, renderSpecial = false): Uint8Array {
    return this.pieces.bytes(id, renderSpecial);
  }

  tokenText(id: number): string {
    this.pieces.check(id);
    return this.vocab.tokens[id];
  }

  tokenId(text: string): number | null {
    return this.vocab.tokenToId.get(text) ?? null;
  }

  isEog(id: number): boolean {
    return this.vocab.eogIds.has(id);
  }

  /** The pre-tokenizer's words (gpt2 models; for tests and debugging). */
  preSplit(text: string): string[] {
    return this.bpe ? this.bpe.words(wellFormed(text)) : [text];
  }
}

/** A tokenizer from a model's metadata (a Map, or the parser's GgufModel). Throws TOKENIZER_* errors. */
export function createTokenizer(meta: TokenizerMetadata): Tokenizer {
  const vocab = loadVocab(meta);
  return Object.assign(new GgufTokenizer(vocab), tokenizerInfo(vocab));
}
