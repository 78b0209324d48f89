/**
 * The BPE pre-tokenizers as data: `tokenizer.ggml.pre` → the regexes llama.cpp
 * (src/llama-vocab.cpp, llm_tokenizer_bpe) splits text with, applied one after
 * the other, plus the per-type vocabulary flags llama.cpp sets with them.
 */

export interface PreTokenizer {
  /** The llama.cpp pre-tokenizer type this name selects. */
  readonly type: string;
  readonly regexes: readonly string[];
  /** Whole words found in the vocabulary skip the merges (llama 3, tekken). */
  readonly ignoreMerges?: boolean;
  /** llama.cpp's clean_spaces for this type (decode removes " ." etc.); true when absent. */
  readonly cleanSpaces?: boolean;
  /** Default for add_bos when the GGUF does not say. */
  readonly addBos?: boolean;
}

const GPT2_RE = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const LLAMA3_RE =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_RE =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const PORO_RE = ' ?[^(\\s|.,!?…。，、।۔،)]+';

const DEFAULT: PreTokenizer = {
  type: 'default',
  regexes: ['[\\p{P}\\$\\+<=>\\^~\\|]+', GPT2_RE, '\\p{N}+', '[0-9][0-9][0-9]'],
};
const LLAMA3: PreTokenizer = { type: 'llama3', regexes: [LLAMA3_RE], ignoreMerges: true, addBos: true };
const DBRX: PreTokenizer = { type: 'dbrx', regexes: [LLAMA3_RE] };
const DEEPSEEK_LLM: PreTokenizer = {
  type: 'deepseek-llm',
  cleanSpaces: false,
  regexes: [
    '[\r\n]',
    // cased letters (the ranges of llama.cpp's regex, written as escapes so no editor normalizes them)
    '\\s?[\\u0041-\\u005A\\u0061-\\u007A\\u00B5\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u01BA\\u01BC-\\u01BF\\u01C4-\\u0293\\u0295-\\u02AF\\u0370-\\u0373\\u0376-\\u0377\\u037B-\\u037D\\u037F\\u0386\\u0388-\\u038A\\u038C\\u038E-\\u03A1\\u03A3-\\u03F5\\u03F7-\\u0481\\u048A-\\u052F\\u0531-\\u0556\\u10A0-\\u10C5\\u13A0-\\u13F5\\u13F8-\\u13FD\\u1C90-\\u1CBA\\u1CBD-\\u1CBF\\u1D00-\\u1D2B\\u1D6B-\\u1D77\\u1D79-\\u1D9A\\u1E00-\\u1F15\\u1F18-\\u1F1D\\u1F20-\\u1F45\\u1F48-\\u1F4D\\u1F50-\\u1F57\\u1F59\\u1F5B\\u1F5D\\u1F5F-\\u1F7D\\u1F80-\\u1FB4\\u1FB6-\\u1FBC\\u1FBE\\u1FC2-\\u1FC4\\u1FC6-\\u1FCC\\u1FD0-\\u1FD3\\u1FD6-\\u1FDB\\u1FE0-\\u1FEC\\u1FF2-\\u1FF4\\u1FF6-\\u1FFC\\u2102\\u2107\\u210A-\\u2113\\u2115\\u2119-\\u211D\\u2124\\u2126\\u2128\\u212A-\\u212D\\u212F-\\u2134\\u2139\\u213C-\\u213F\\u2145-\\u2149\\u214E\\u2183-\\u2184\\u2C00-\\u2C7B\\u2C7E-\\u2CE4\\u2CEB-\\u2CEE\\u2CF2-\\u2CF3\\uA640-\\uA66D\\uA680-\\uA69B\\uA722-\\uA76F\\uA771-\\uA787\\uA78B-\\uA78E\\uAB70-\\uABBF\\uFB00-\\uFB06\\uFB13-\\uFB17\\uFF21-\\uFF3A\\uFF41-\\uFF5A\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}]+',
    '\\s?[!-/:-~\\uFF01-\\uFF0F\\uFF1A-\\uFF5E\\u2018-\\u201F\\u3000-\\u3002]+',
    '\\s+$',
    '[\\u4E00-\\u9FA5\\u0800-\\u4E00\\uAC00-\\uD7FF]+',
    '\\p{N}+',
  ],
};
const DEEPSEEK_CODER: PreTokenizer = {
  type: 'deepseek-coder',
  cleanSpaces: false,
  regexes: ['[\r\n]', '\\s?\\p{L}+', '\\s?\\p{P}+', '[\\u4E00-\\u9FA5\\u0800-\\u4E00\\uAC00-\\uD7FF]+', '\\p{N}'],
};
const FALCON: PreTokenizer = { type: 'falcon', regexes: ['[\\p{P}\\$\\+<=>\\^~\\|`]+', GPT2_RE, '[0-9][0-9][0-9]'] };
const STARCODER: PreTokenizer = { type: 'starcoder', regexes: ['\\p{N}', GPT2_RE] };
const GPT2: PreTokenizer = { type: 'gpt2', regexes: [GPT2_RE] };
const QWEN2: PreTokenizer = { type: 'qwen2', regexes: [QWEN2_RE], cleanSpaces: false };
const TEKKEN: PreTokenizer = {
  type: 'tekken',
  cleanSpaces: false,
  ignoreMerges: true,
  addBos: true,
  regexes: [
    '[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
  ],
};

const noClean = (p: PreTokenizer, type = p.type): PreTokenizer => ({ ...p, type, cleanSpaces: false });

/** `tokenizer.ggml.pre` values → pre-tokenizer (names as llama.cpp accepts them). */
export const PRE_TOKENIZERS: Readonly<Record<string, PreTokenizer>> = {
  default: DEFAULT,
  llama3: LLAMA3,
  'llama-v3': LLAMA3,
  'llama-bpe': LLAMA3,
  falcon3: LLAMA3,
  dbrx: DBRX,
  'smaug-bpe': { ...DBRX, type: 'smaug' },
  'deepseek-llm': DEEPSEEK_LLM,
  'deepseek-coder': DEEPSEEK_CODER,
  falcon: FALCON,
  mpt: { ...GPT2, type: 'mpt' },
  starcoder: STARCODER,
  refact: { ...STARCODER, type: 'refact' },
  codeshell: { ...STARCODER, type: 'codeshell' },
  'command-r': noClean(STARCODER, 'command-r'),
  smollm: noClean(STARCODER, 'smollm'),
  exaone: { ...STARCODER, type: 'exaone' },
  'minerva-7b': { ...STARCODER, type: 'minerva' },
  'gpt-2': GPT2,
  'phi-2': GPT2,
  'jina-es': GPT2,
  'jina-de': GPT2,
  gigachat: GPT2,
  'jina-v1-en': GPT2,
  'jina-v2-es': GPT2,
  'jina-v2-de': GPT2,
  'jina-v2-code': GPT2,
  'roberta-bpe': GPT2,
  olmo: { ...GPT2, type: 'olmo' },
  jais: { ...GPT2, type: 'jais' },
  qwen2: QWEN2,
  'deepseek-r1-qwen': QWEN2,
  stablelm2: { ...QWEN2, type: 'stablelm2', cleanSpaces: true },
  'chatglm-bpe': { type: 'chatglm4', regexes: [LLAMA3_RE] },
  'poro-chat': { type: 'poro', regexes: [PORO_RE], cleanSpaces: false },
  bloom: { type: 'bloom', regexes: [PORO_RE] },
  'gpt3-finnish': { type: 'gpt3-finnish', regexes: [PORO_RE] },
  viking: { type: 'viking', regexes: [PORO_RE, '\\p{N}'], cleanSpaces: false },
  tekken: TEKKEN,
};

/** The pre-tokenizer for a `tokenizer.ggml.pre` value; unknown names fall back to gpt-2's with a warning. */
export function preTokenizerFor(pre: string | undefined, warnings: string[]): PreTokenizer {
  if (pre === undefined || pre === '') return DEFAULT;
  const found = Object.prototype.hasOwnProperty.call(PRE_TOKENIZERS, pre) ? PRE_TOKENIZERS[pre] : undefined;
  if (found) return found;
  warnings.push(`unknown tokenizer.ggml.pre '${pre}': using the gpt-2 pre-tokenizer (tokens may differ from llama.cpp's)`);
  return GPT2;
}
