/** The synthetic models the browser tests' range server serves (no Node API: tests import this too). */
import { sizedLlama } from '../../src/authoring/synthetic-size.ts';
import { GgufValueType } from '../../src/gguf/types.ts';
import { writeGguf, type GgufWriteTensor, type MetadataEntry } from '../../src/authoring/write.ts';

/** Name → target size. `big.gguf` is over four times the memory-invariant test's 64 MiB budget; `resume.gguf` is ten OPFS chunks (runtime-resume-close.test.ts). */
export const SYNTHETIC_MODELS = { 'small.gguf': 6 << 20, 'big.gguf': 270 << 20, 'resume.gguf': 40 << 20 } as const;
export type SyntheticModelName = keyof typeof SYNTHETIC_MODELS;

/** A synthetic model that can generate (random Q8_0 weights, stories260K's tokenizer): 12 blocks, about 10 MiB. */
export const GENERATING_MODEL = {
  name: 'talker.gguf',
  recipe: { arch: 'llama', blocks: 12, embd: 256, ff: 768, heads: 4, headsKv: 2, weights: 'Q8_0', seed: 5, tokenizer: 'models/stories260K.gguf' },
} as const;

/** The generator of a served synthetic model: the same bytes, made anywhere. */
export function servedModel(name: SyntheticModelName) {
  return sizedLlama(SYNTHETIC_MODELS[name], { seed: name.length, name });
}

/** A model split in three shards (`split-0000N-of-00003.gguf`), and the bytes of each of its tensors. */
export function splitModel(): { shards: Array<[string, Uint8Array]>; tensors: Map<string, Uint8Array> } {
  const tensors = new Map<string, Uint8Array>();
  const t = (name: string, n: number): GgufWriteTensor => {
    const data = new Uint8Array(n * 4).map((_, i) => (i * 13 + name.length) & 0xff);
    tensors.set(name, data);
    return { name, type: 'F32', dims: [n], data };
  };
  const parts = [
    [t('token_embd.weight', 256), t('blk.0.attn_q.weight', 64)],
    [t('blk.1.attn_q.weight', 128)],
    [t('output_norm.weight', 32), t('output.weight', 256)],
  ];
  const shards = parts.map((ts, no): [string, Uint8Array] => {
    const metadata: MetadataEntry[] = [
      ...(no === 0 ? [['general.architecture', 'llama'] as MetadataEntry, ['llama.block_count', 2, GgufValueType.UINT32] as MetadataEntry] : []),
      ['split.no', no, GgufValueType.UINT16],
      ['split.count', parts.length, GgufValueType.UINT16],
      ['split.tensors.count', 5, GgufValueType.INT32],
    ];
    return [`split-${String(no + 1).padStart(5, '0')}-of-00003.gguf`, writeGguf({ metadata, tensors: ts })];
  });
  return { shards, tensors };
}
