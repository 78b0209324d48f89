/**
 * The vocabulary as llama.cpp loads it (src/llama-vocab.cpp, llama_vocab::load):
 * tokens, scores, token types turned into attributes, the special ids with
 * their per-model defaults, the end-of-generation set and the flags
 * (add_bos, add_eos, add_space_prefix, clean_spaces) that encode and decode follow.
 */
import { GgufPagerError } from '../errors.ts';
import { preTokenizerFor, type PreTokenizer } from './pretokenizers.ts';

export const ATTR_UNKNOWN = 1 << 0;
export const ATTR_UNUSED = 1 << 1;
export const ATTR_NORMAL = 1 << 2;
export const ATTR_CONTROL = 1 << 3;
export const ATTR_USER_DEFINED = 1 << 4;
export const ATTR_BYTE = 1 << 5;
export const ATTR_LSTRIP = 1 << 7;
export const ATTR_RSTRIP = 1 << 8;

/** tokenizer.ggml.token_type values (llama_token_type) → attributes. */
const TYPE_TO_ATTR = [0, ATTR_NORMAL, ATTR_UNKNOWN, ATTR_CONTROL, ATTR_USER_DEFINED, ATTR_UNUSED, ATTR_BYTE];

export type TokenizerModel = 'llama' | 'gpt2' | 'bert';

/** A metadata map, or anything holding one as `.metadata` (the parser's GgufModel). */
export type TokenizerMetadata = ReadonlyMap<string, unknown> | { readonly metadata: ReadonlyMap<string, unknown> };

/** Texts llama.cpp (src/llama-vocab.cpp) treats as end-of-generation tokens whatever their type (made control tokens). */
const EOG_TEXTS = new Set([
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
]);
const EOT_TEXTS = [
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|end_of_text|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '<end_of_utterance>',
  '<｜end▁of▁sentence｜>',
];
const FIM_TEXTS: Record<string, string[]> = {
  pre: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>'],
  suf: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>'],
  mid: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>'],
  pad: ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]'],
  rep: ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>'],
  sep: ['<|file_sep|>', '<|file_separator|>'],
};

export interface Vocab {
  model: TokenizerModel;
  name: string;
  tokens: string[];
  scores: Float32Array | null;
  attrs: Uint16Array;
  /** text → id; a repeated text maps to its last id, as in llama.cpp. */
  tokenToId: Map<string, number>;
  bos: number | null;
  eos: number | null;
  unk: number | null;
  eot: number | null;
  eogIds: Set<number>;
  addBos: boolean;
  addEos: boolean;
  addSpacePrefix: boolean;
  cleanSpaces: boolean;
  /** Ids matched whole before tokenizing (control, user-defined, unknown), longest text first. */
  specials: number[];
  /** BPE only. */
  pre: PreTokenizer | null;
  mergeRanks: Map<string, number> | null;
  warnings: string[];
}

function badVocab(what: string, details: Record<string, unknown> = {}): GgufPagerError {
  return new GgufPagerError('TOKENIZER_BAD_VOCAB', `tokenizer metadata: ${what}`, details);
}

function metadataOf(meta: TokenizerMetadata): ReadonlyMap<string, unknown> {
  if (meta instanceof Map) return meta;
  const inner = (meta as { metadata?: unknown }).metadata;
  if (inner instanceof Map) return inner;
  throw badVocab('expected a metadata Map or a parsed GGUF model');
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

export function loadVocab(meta: TokenizerMetadata): Vocab {
  const md = metadataOf(meta);
  const modelName = md.get('tokenizer.ggml.model');
  if (typeof modelName !== 'string') throw badVocab('tokenizer.ggml.model is missing');
  if (modelName !== 'llama' && modelName !== 'gpt2' && modelName !== 'bert') {
    throw new GgufPagerError('TOKENIZER_UNSUPPORTED', `tokenizer.ggml.model '${modelName}' is not supported (llama, gpt2, bert are)`, { model: modelName });
  }
  const model: TokenizerModel = modelName;
  const tokens = md.get('tokenizer.ggml.tokens');
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === 'string')) {
    throw badVocab('tokenizer.ggml.tokens must be a non-empty array of strings');
  }
  const n = tokens.length;
  const warnings: string[] = [];

  const rawScores = md.get('tokenizer.ggml.scores');
  let scores: Float32Array | null = null;
  if (rawScores !== undefined) {
    if (!Array.isArray(rawScores) || rawScores.length !== n)
      throw badVocab(`tokenizer.ggml.scores has ${Array.isArray(rawScores) ? rawScores.length : 'no'} entries for ${n} tokens`);
    scores = Float32Array.from(rawScores, (s) => num(s) ?? 0);
  }
  const types = md.get('tokenizer.ggml.token_type');
  if (types !== undefined && (!Array.isArray(types) || types.length !== n)) {
    throw badVocab(`tokenizer.ggml.token_type has ${Array.isArray(types) ? types.length : 'no'} entries for ${n} tokens`);
  }
  const attrs = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const t = types ? (num(types[i]) ?? 1) : 1;
    attrs[i] = TYPE_TO_ATTR[t] ?? 0;
  }
  const tokenToId = new Map<string, number>();
  for (let i = 0; i < n; i++) tokenToId.set(tokens[i], i);

  const id = (key: string, dflt: number | null): number | null => {
    const v = md.has(key) ? num(md.get(key)) : (dflt ?? undefined);
    if (v === undefined || v === null) return null;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      if (md.has(key)) throw badVocab(`${key} = ${v} is outside the vocabulary of ${n} tokens`, { key, id: v });
      return null;
    }
    return v;
  };
  const flag = (key: string, dflt: boolean): boolean => {
    const v = md.get(key);
    return typeof v === 'boolean' ? v : dflt;
  };

  let bos: number | null;
  let eos: number | null;
  let unk: number | null;
  let pre: PreTokenizer | null = null;
  let addBos: boolean;
  let addEos: boolean;
  let addSpacePrefix = false;
  let cleanSpaces = true;
  if (model === 'llama') {
    bos = id('tokenizer.ggml.bos_token_id', 1);
    eos = id('tokenizer.ggml.eos_token_id', 2);
    unk = id('tokenizer.ggml.unknown_token_id', 0);
    addSpacePrefix = true;
    cleanSpaces = false;
    addBos = true;
    addEos = false;
  } else if (model === 'gpt2') {
    bos = id('tokenizer.ggml.bos_token_id', 11);
    eos = id('tokenizer.ggml.eos_token_id', 11);
    unk = id('tokenizer.ggml.unknown_token_id', null);
    const preName = md.get('tokenizer.ggml.pre');
    pre = preTokenizerFor(typeof preName === 'string' ? preName : undefined, warnings);
    cleanSpaces = pre.cleanSpaces ?? true;
    addBos = pre.addBos ?? false;
    addEos = false;
  } else {
    bos = id('tokenizer.ggml.cls_token_id', null) ?? id('tokenizer.ggml.bos_token_id', 101);
    eos = id('tokenizer.ggml.seperator_token_id', null) ?? id('tokenizer.ggml.eos_token_id', 102);
    unk = id('tokenizer.ggml.unknown_token_id', 100);
    addBos = true;
    addEos = true;
  }
  addSpacePrefix = flag('tokenizer.ggml.add_space_prefix', addSpacePrefix);
  addBos = flag('tokenizer.ggml.add_bos_token', addBos);
  addEos = flag('tokenizer.ggml.add_eos_token', model === 'bert' ? flag('tokenizer.ggml.add_sep_token', addEos) : addEos);
  cleanSpaces = flag('tokenizer.ggml.clean_spaces', cleanSpaces);
  if (addBos && bos === null) {
    warnings.push('add_bos_token is set but there is no BOS token');
    addBos = false;
  }
  if (addEos && eos === null) {
    warnings.push('add_eos_token is set but there is no EOS token');
    addEos = false;
  }

  let eot = id('tokenizer.ggml.eot_token_id', null);
  const eom = id('tokenizer.ggml.eom_token_id', null);
  const forceControl = (t: number, why: string) => {
    if ((attrs[t] & ATTR_CONTROL) === 0) {
      warnings.push(`token ${t} '${tokens[t]}' is ${why} but not a control token: treated as one`);
      attrs[t] |= ATTR_CONTROL;
    }
  };
  if (eot === null) {
    for (const text of EOT_TEXTS) {
      const t = tokenToId.get(text);
      if (t !== undefined) {
        eot = t;
        forceControl(t, 'an end-of-turn token');
        break;
      }
    }
  }
  const fim = (key: string, texts: string[]): number | null => {
    const given = id(key, null);
    if (given !== null) return given;
    for (const text of texts) {
      const t = tokenToId.get(text);
      if (t !== undefined) {
        forceControl(t, 'a fill-in-the-middle token');
        return t;
      }
    }
    return null;
  };
  fim('tokenizer.ggml.fim_pre_token_id', FIM_TEXTS.pre);
  fim('tokenizer.ggml.fim_suf_token_id', FIM_TEXTS.suf);
  fim('tokenizer.ggml.fim_mid_token_id', FIM_TEXTS.mid);
  const fimPad = fim('tokenizer.ggml.fim_pad_token_id', FIM_TEXTS.pad);
  const fimRep = fim('tokenizer.ggml.fim_rep_token_id', FIM_TEXTS.rep);
  const fimSep = fim('tokenizer.ggml.fim_sep_token_id', FIM_TEXTS.sep);
  const eogIds = new Set<number>();
  for (const t of [fimPad, fimRep, fimSep]) if (t !== null) eogIds.add(t);
  for (const text of EOG_TEXTS) {
    const t = tokenToId.get(text);
    if (t !== undefined) {
      eogIds.add(t);
      forceControl(t, 'an end-of-generation token');
    }
  }
  for (const t of [eos, eot, eom]) if (t !== null) eogIds.add(t);
  // llama.cpp's workarounds: with <|return|> and <|call|> (o200k harmony) or <|calls|> and <|flush|>
  // (solar-open), <|end|> is no end of generation; with <|tool_response> (gemma 4), </s> is a plain token
  const eogText = (text: string) => {
    const t = tokenToId.get(text);
    return t !== undefined && eogIds.has(t) ? t : undefined;
  };
  const end = eogText('<|end|>');
  if (
    end !== undefined &&
    ((eogText('<|return|>') !== undefined && eogText('<|call|>') !== undefined) || (eogText('<|calls|>') !== undefined && eogText('<|flush|>') !== undefined))
  ) {
    eogIds.delete(end);
    attrs[end] = ATTR_USER_DEFINED;
  }
  const s = eogText('</s>');
  if (s !== undefined && eogText('<|tool_response>') !== undefined) {
    eogIds.delete(s);
    attrs[s] = ATTR_NORMAL;
  }

  const name = String(md.get('general.name') ?? md.get('general.architecture') ?? '(unnamed model)');
  const specials: number[] = [];
  for (let i = 0; i < n; i++) if (attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN) && tokens[i].length > 0) specials.push(i);
  specials.sort((a, b) => tokens[b].length - tokens[a].length || a - b);
  const lname = name.toLowerCase();
  if (lname.includes('phi-3') || lname.includes('phi3')) {
    for (const t of specials) attrs[t] |= ATTR_RSTRIP;
    const setR = (text: string, on: boolean) => {
      const t = tokenToId.get(text);
      if (t !== undefined) attrs[t] = on ? attrs[t] | ATTR_RSTRIP : attrs[t] & ~ATTR_RSTRIP;
    };
    setR('</s>', true);
    for (const t of ['<unk>', '<s>', '<|endoftext|>']) setR(t, false);
  }

  let mergeRanks: Map<string, number> | null = null;
  if (model === 'gpt2') {
    const merges = md.get('tokenizer.ggml.merges');
    if (!Array.isArray(merges)) throw badVocab('tokenizer.ggml.merges is missing (needed by the gpt2 model)');
    mergeRanks = new Map();
    for (let i = 0; i < merges.length; i++) {
      const m = merges[i];
      if (typeof m !== 'string') throw badVocab(`tokenizer.ggml.merges[${i}] is not a string`);
      if (m.indexOf(' ', 1) < 0) continue;
      if (!mergeRanks.has(m)) mergeRanks.set(m, i);
    }
  }
  return {
    model,
    name,
    tokens,
    scores,
    attrs,
    tokenToId,
    bos,
    eos,
    unk,
    eot,
    eogIds,
    addBos,
    addEos,
    addSpacePrefix,
    cleanSpaces,
    specials,
    pre,
    mergeRanks,
    warnings,
  };
}
