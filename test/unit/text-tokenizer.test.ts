/**
 * The tokenizer's behaviour beyond the vectors: BOS/EOS, special tokens only
 * when asked, end-of-generation ids, warnings and typed errors, the streaming
 * detokenizer, and the stories260K model's own vocabulary.
 */
import { describe, expect, it } from 'vitest';
import { isGgufPagerError } from '../../src/errors.ts';
import { createTokenizer, StreamingDetokenizer, type Tokenizer } from '../../src/text/index.ts';
import { parsedFixture, vocabTokenizerModel } from '../cases/text-models.ts';

const tokenizers = new Map<string, Promise<Tokenizer>>();
function vocab(name: string): Promise<Tokenizer> {
  let t = tokenizers.get(name);
  if (!t) tokenizers.set(name, (t = vocabTokenizerModel(name).then(createTokenizer)));
  return t;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return isGgufPagerError(e) ? `${e.code}: ${e.message}` : `untyped: ${String(e)}`;
  }
  return 'no error';
}

function stream(tok: Tokenizer, ids: number[], opts?: ConstructorParameters<typeof StreamingDetokenizer>[1]): string[] {
  const d = new StreamingDetokenizer(tok, opts);
  const out = ids.map((id) => d.push(id));
  out.push(d.flush());
  return out;
}

describe('stories260K', () => {
  it('"Once upon a time" encodes to [1, 403, 407, 261, 378] with BOS and decodes back', async () => {
    const tok = createTokenizer(await parsedFixture('models/stories260K.gguf'));
    expect(tok.model).toBe('llama');
    const ids = tok.encode('Once upon a time');
    expect(ids).toEqual([1, 403, 407, 261, 378]);
    expect(tok.decode(ids.slice(1))).toBe('Once upon a time');
    expect(tok.encode('Once upon a time', { addSpecial: false })).toEqual([403, 407, 261, 378]);
  });
});

describe('BOS, EOS and special tokens', () => {
  it('adds BOS (and EOS only when the metadata asks) unless addSpecial is false', async () => {
    const spm = await vocab('llama-spm');
    expect([spm.addBos, spm.addEos, spm.bos, spm.eos]).toEqual([true, false, 1, 2]);
    expect(spm.encode('Hello')[0]).toBe(1);
    expect(spm.encode('Hello', { addSpecial: false })[0]).not.toBe(1);
    const bert = await vocab('bert-bge');
    const ids = bert.encode('hello world');
    expect([ids[0], ids[ids.length - 1]]).toEqual([101, 102]);
  });

  it('matches control tokens written in the text only with parseSpecial', async () => {
    const gpt2 = await vocab('gpt-2');
    const eot = gpt2.tokenId('<|endoftext|>')!;
    expect(eot).toBe(50256);
    expect(gpt2.encode('a<|endoftext|>b', { addSpecial: false })).not.toContain(eot);
    expect(gpt2.encode('a<|endoftext|>b', { addSpecial: false, parseSpecial: true })).toEqual([64, eot, 65]);
    const spm = await vocab('llama-spm');
    expect(spm.encode('<s>x</s>', { addSpecial: false })).not.toContain(1);
    expect(spm.encode('<s>x</s>', { addSpecial: false, parseSpecial: true })).toEqual([1, ...spm.encode('x', { addSpecial: false }), 2]);
  });

  it('renders special tokens only when asked', async () => {
    const spm = await vocab('llama-spm');
    expect(spm.decode([1, 15043])).toBe(' Hello');
    expect(spm.decode([1, 15043], { renderSpecial: true })).toBe('<s> Hello');
    expect(spm.piece(1)).toBe('<s>');
  });

  it('knows the end-of-generation tokens from the metadata and the usual texts', async () => {
    const phi3 = await vocab('phi-3');
    for (const text of ['<|endoftext|>', '<|end|>']) expect(phi3.isEog(phi3.tokenId(text)!)).toBe(true);
    expect(phi3.isEog(phi3.tokenId('<|user|>')!)).toBe(false);
    const spm = await vocab('llama-spm');
    expect([...spm.eogIds]).toEqual([2]);
  });
});

describe('warnings and errors', () => {
  it('an unknown tokenizer.ggml.pre falls back to gpt-2 with a warning', async () => {
    const model = await vocabTokenizerModel('gpt-2');
    model.metadata.set('tokenizer.ggml.pre', 'no-such-pre');
    const tok = createTokenizer(model);
    expect(tok.preTokenizer).toBe('gpt2');
    expect(tok.warnings.join()).toMatch(/unknown tokenizer.ggml.pre 'no-such-pre'/);
    expect(tok.encode('Hello world', { addSpecial: false })).toEqual([15496, 995]);
  });

  it('an unsupported model and a broken vocabulary are typed errors', async () => {
    const model = await vocabTokenizerModel('gpt-2');
    const md = new Map(model.metadata);
    md.set('tokenizer.ggml.model', 'rwkv');
    expect(errorOf(() => createTokenizer(md))).toMatch(/^TOKENIZER_UNSUPPORTED: .*'rwkv'/);
    const noMerges = new Map(model.metadata);
    noMerges.delete('tokenizer.ggml.merges');
    expect(errorOf(() => createTokenizer(noMerges))).toMatch(/^TOKENIZER_BAD_VOCAB: .*merges/);
    const badTypes = new Map(model.metadata);
    badTypes.set('tokenizer.ggml.token_type', [1, 1]);
    expect(errorOf(() => createTokenizer(badTypes))).toMatch(/^TOKENIZER_BAD_VOCAB: .*token_type has 2 entries/);
    const badBos = new Map(model.metadata);
    badBos.set('tokenizer.ggml.bos_token_id', 1e9);
    expect(errorOf(() => createTokenizer(badBos))).toMatch(/^TOKENIZER_BAD_VOCAB: .*bos_token_id/);
    expect(errorOf(() => createTokenizer(new Map()))).toMatch(/^TOKENIZER_BAD_VOCAB: .*tokenizer.ggml.model/);
  });

  it('an id outside the vocabulary is TOKEN_OUT_OF_RANGE', async () => {
    const tok = await vocab('gpt-2');
    expect(errorOf(() => tok.decode([15496, 50257]))).toMatch(/^TOKEN_OUT_OF_RANGE: token id 50257/);
    expect(errorOf(() => tok.piece(-1))).toMatch(/^TOKEN_OUT_OF_RANGE/);
  });
});

describe('StreamingDetokenizer', () => {
  it('holds a character split over byte-fallback tokens until it is complete (SPM)', async () => {
    const spm = await vocab('llama-spm');
    const ids = spm.encode('a🦙b', { addSpecial: false });
    expect(ids.length).toBeGreaterThan(4); // "▁a", four <0xNN> bytes, "b"
    expect(stream(spm, ids)).toEqual(['a', '', '', '', '🦙', 'b', '']);
  });

  it('holds a character split over byte-level tokens (BPE) and strips nothing there', async () => {
    const gpt2 = await vocab('gpt-2');
    const ids = gpt2.encode(' 🦙🦙', { addSpecial: false });
    const parts = stream(gpt2, ids);
    expect(parts.join('')).toBe(' 🦙🦙');
    expect(parts.every((p) => !p.includes('\ufffd'))).toBe(true);
  });

  it('strips the SPM leading space once, or not at all when asked', async () => {
    const spm = await vocab('llama-spm');
    const ids = spm.encode('Hello world', { addSpecial: false });
    expect(stream(spm, ids).join('')).toBe('Hello world');
    expect(stream(spm, ids, { stripLeadingSpace: false }).join('')).toBe(' Hello world');
  });

  it('renders special tokens only when asked', async () => {
    const spm = await vocab('llama-spm');
    expect(stream(spm, [15043, 2]).join('')).toBe('Hello');
    expect(stream(spm, [15043, 2], { renderSpecial: true }).join('')).toBe('Hello</s>');
  });

  it('an unfinished character comes out of flush as U+FFFD', async () => {
    const spm = await vocab('llama-spm');
    const bytes = spm.encode('🦙', { addSpecial: false }).filter((id) => /^<0x/.test(spm.tokenText(id)));
    const d = new StreamingDetokenizer(spm);
    expect(d.push(bytes[0]) + d.push(bytes[1])).toBe('');
    expect(d.flush()).toBe('\ufffd');
  });

  it('gives, piece by piece, what decode gives for the whole sequence (vocabs without clean-up)', async () => {
    for (const name of ['llama-spm', 'phi-3', 'deepseek-llm', 'deepseek-coder']) {
      const tok = await vocab(name);
      for (const text of ['Hello world', ' 3333333 ', '🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅', 'Führer\n\n\tok 中文']) {
        const ids = tok.encode(text, { addSpecial: false });
        expect(stream(tok, ids).join('')).toBe(tok.decode(ids));
      }
    }
  });
});

describe('speed structures', () => {
  it('encodes a long text the same way twice (word cache) and as its parts when split at a word start', async () => {
    for (const name of ['llama-spm', 'gpt-2']) {
      const tok = await vocab(name);
      const text = 'The quick brown fox jumps over the lazy dog. '.repeat(200);
      const a = tok.encode(text, { addSpecial: false });
      expect(tok.encode(text, { addSpecial: false })).toEqual(a);
      expect(tok.decode(a)).toBe(text);
    }
  });
});
