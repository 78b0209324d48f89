/**
 * StreamingDetokenizer: token ids in, text out, one token at a time. Only
 * complete UTF-8 characters leave it (a character split over byte-fallback or
 * byte-level tokens waits for its last byte); an invalid sequence becomes U+FFFD.
 */
import type { Tokenizer } from './tokenizer.ts';

export interface StreamingDetokenizerOptions {
  /** Render control and unknown tokens as their text. Default false. */
  renderSpecial?: boolean;
  /**
   * Strip the SentencePiece prefix space from the first token pushed, as
   * `decode` does for a whole sequence (default true). Pass false when the
   * tokens continue a text (generation after a prompt): " time" stays " time".
   */
  stripLeadingSpace?: boolean;
}

export class StreamingDetokenizer {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly renderSpecial: boolean;
  private first: boolean;

  constructor(
    private readonly tok: Tokenizer,
    opts: StreamingDetokenizerOptions = {},
  ) {
    this.renderSpecial = opts.renderSpecial ?? false;
    this.first = (opts.stripLeadingSpace ?? true) && tok.addSpacePrefix;
  }

  /** The text that token completes (possibly ''). */
  push(id: number): string {
    let bytes = this.tok.pieceBytes(id, this.renderSpecial);
    if (this.first) {
      this.first = false;
      if (bytes.length > 0 && bytes[0] === 0x20) bytes = bytes.subarray(1);
    }
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Whatever is held back (an unfinished character, as U+FFFD), and a fresh start. */
  flush(): string {
    return this.decoder.decode();
  }
}
