/**
 * A llama-shaped GGUF model with deterministic pseudo-random weights, of any
 * size, that is never held in memory: only its header is. Its bytes come out
 * by random access (`readInto`, so it is itself a PagerSource) or as a stream
 * of chunks (`chunks()`), to serve a 128 MiB demo model or test a 256 MiB one.
 *
 * Tensors (ggml order of dims, as llama.cpp's llama loader expects them):
 *   token_embd.weight [embd, vocab]      output_norm.weight [embd] F32
 *   output.weight     [embd, vocab]
 *   blk.i.attn_norm.weight [embd] F32    blk.i.ffn_norm.weight [embd] F32
 *   blk.i.attn_q / attn_output [embd, embd]
 *   blk.i.attn_k / attn_v      [embd, headDim × headsKv]
 *   blk.i.ffn_gate / ffn_up    [embd, ff]   blk.i.ffn_down [ff, embd]
 */
import { GgufPagerError } from '../errors.ts';
import type { PagerSource, ReadOptions, SourceIdentity } from '../sources/source.ts';
import { ggmlTypeByName } from '../gguf/ggml-types.ts';
import { FILE_TYPE } from './quant-types.ts';
import { fillTensorRange, tensorGenerator, type SyntheticType, type TensorGenerator } from './synthetic-weights.ts';
import { GgufValueType as T } from '../gguf/types.ts';
import { ggufHeaderBytes, type GgufLayout, type GgufWriteTensor, type MetadataEntry } from './write.ts';

export type { SyntheticType } from './synthetic-weights.ts';

export interface SyntheticLlamaOptions {
  blocks: number;
  embd: number;
  ff: number;
  vocab: number;
  type: SyntheticType;
  seed?: number;
  /** Attention heads; default embd / 64 (1 when embd is not a multiple of 64). */
  heads?: number;
  /** Key/value heads; default `heads`. */
  headsKv?: number;
  context?: number;
  /** Write a SentencePiece-style vocabulary (default true; needs vocab ≥ 260). */
  tokenizer?: boolean;
  name?: string;
}

function invalid(message: string, details: Record<string, unknown> = {}): GgufPagerError {
  return new GgufPagerError('INVALID_ARGUMENT', `syntheticLlama: ${message}`, details);
}

function checkOptions(o: SyntheticLlamaOptions, heads: number, headsKv: number): void {
  for (const k of ['blocks', 'embd', 'ff', 'vocab'] as const) {
    if (!Number.isSafeInteger(o[k]) || o[k] < 1) throw invalid(`${k} must be a positive integer, not ${o[k]}`);
  }
  if (!(o.type in FILE_TYPE)) throw invalid(`unsupported type ${o.type}`);
  if (o.embd % heads !== 0 || heads % headsKv !== 0) throw invalid(`heads ${heads} / headsKv ${headsKv} do not divide embd ${o.embd}`);
  const block = ggmlTypeByName(o.type)!.blockSize;
  if (o.embd % block !== 0 || o.ff % block !== 0) throw invalid(`embd ${o.embd} and ff ${o.ff} must be multiples of the ${o.type} block size ${block}`);
  if (o.tokenizer !== false && o.vocab < 260) throw invalid(`a tokenizer needs vocab >= 260 (3 specials + 256 bytes + 1), not ${o.vocab}`);
}

function tokenizerEntries(vocab: number): MetadataEntry[] {
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [2, 3, 3]; // UNKNOWN, CONTROL, CONTROL
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // BYTE
  }
  for (let i = tokens.length; i < vocab; i++) {
    tokens.push(`\u2581t${i}`);
    types.push(1); // NORMAL
  }
  return [
    ['tokenizer.ggml.model', 'llama', T.STRING],
    ['tokenizer.ggml.tokens', tokens, { array: T.STRING }],
    ['tokenizer.ggml.scores', tokens.map((_, i) => -i), { array: T.FLOAT32 }],
    ['tokenizer.ggml.token_type', types, { array: T.INT32 }],
    ['tokenizer.ggml.bos_token_id', 1, T.UINT32],
    ['tokenizer.ggml.eos_token_id', 2, T.UINT32],
    ['tokenizer.ggml.unknown_token_id', 0, T.UINT32],
  ];
}

function llamaTensors(o: SyntheticLlamaOptions, kvDim: number): GgufWriteTensor[] {
  const { embd, ff, vocab, type } = o;
  const t: GgufWriteTensor[] = [{ name: 'token_embd.weight', type, dims: [embd, vocab] }];
  for (let i = 0; i < o.blocks; i++) {
    const b = `blk.${i}.`;
    t.push(
      { name: `${b}attn_norm.weight`, type: 'F32', dims: [embd] },
      { name: `${b}attn_q.weight`, type, dims: [embd, embd] },
      { name: `${b}attn_k.weight`, type, dims: [embd, kvDim] },
      { name: `${b}attn_v.weight`, type, dims: [embd, kvDim] },
      { name: `${b}attn_output.weight`, type, dims: [embd, embd] },
      { name: `${b}ffn_norm.weight`, type: 'F32', dims: [embd] },
      { name: `${b}ffn_gate.weight`, type, dims: [embd, ff] },
      { name: `${b}ffn_up.weight`, type, dims: [embd, ff] },
      { name: `${b}ffn_down.weight`, type, dims: [ff, embd] },
    );
  }
  t.push({ name: 'output_norm.weight', type: 'F32', dims: [embd] }, { name: 'output.weight', type, dims: [embd, vocab] });
  return t;
}

function llamaMetadata(o: SyntheticLlamaOptions, heads: number, headsKv: number): MetadataEntry[] {
  const quantized = ggmlTypeByName(o.type)!.quantized;
  return [
    ['general.architecture', 'llama', T.STRING],
    ['general.name', o.name ?? `synthetic-llama-${o.blocks}x${o.embd}-${o.type}`, T.STRING],
    ['general.file_type', FILE_TYPE[o.type], T.UINT32],
    ...(quantized ? [['general.quantization_version', 2, T.UINT32] as MetadataEntry] : []),
    ['llama.context_length', o.context ?? 2048, T.UINT32],
    ['llama.embedding_length', o.embd, T.UINT32],
    ['llama.block_count', o.blocks, T.UINT32],
    ['llama.feed_forward_length', o.ff, T.UINT32],
    ['llama.rope.dimension_count', o.embd / heads, T.UINT32],
    ['llama.attention.head_count', heads, T.UINT32],
    ['llama.attention.head_count_kv', headsKv, T.UINT32],
    ['llama.attention.layer_norm_rms_epsilon', 1e-5, T.FLOAT32],
    ...(o.tokenizer === false ? [] : tokenizerEntries(o.vocab)),
  ];
}

export class SyntheticLlama implements PagerSource {
  readonly name: string;
  readonly size: number;
  readonly identity: SourceIdentity;
  readonly layout: GgufLayout;
  private readonly gens: TensorGenerator[];

  constructor(readonly options: SyntheticLlamaOptions) {
    const heads = options.heads ?? (options.embd % 64 === 0 ? options.embd / 64 : 1);
    const headsKv = options.headsKv ?? heads;
    checkOptions(options, heads, headsKv);
    const tensors = llamaTensors(options, (options.embd / heads) * headsKv);
    this.layout = ggufHeaderBytes({ metadata: llamaMetadata(options, heads, headsKv), tensors });
    const seed = options.seed ?? 0;
    this.gens = this.layout.tensors.map((t, i) => tensorGenerator(t.typeName as SyntheticType, seed, i, t.name.endsWith('norm.weight')));
    this.size = this.layout.fileSize;
    this.name = `synthetic:${options.blocks}x${options.embd}x${options.ff}x${options.vocab}-${options.type}-seed${seed}.gguf`;
    this.identity = { size: this.size, etag: `"${this.name}"` };
  }

  /** Fills `target` with the file's bytes at [offset, offset + target.length). */
  fill(offset: number, target: Uint8Array): void {
    const end = offset + target.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || end > this.size) {
      throw new GgufPagerError('SOURCE_EOF', `${this.name}: read of ${target.length} bytes at ${offset} is past the end (${this.size})`, {
        offset,
        size: this.size,
      });
    }
    target.fill(0);
    const { header, tensors } = this.layout;
    if (offset < header.length) target.set(header.subarray(offset, Math.min(end, header.length)), 0);
    for (let i = this.firstTensorEndingAfter(offset); i < tensors.length && tensors[i].offset < end; i++) {
      const t = tensors[i];
      const a = Math.max(offset, t.offset);
      const b = Math.min(end, t.offset + t.size);
      if (a < b) fillTensorRange(this.gens[i], a - t.offset, b - t.offset, target, a - offset);
    }
  }

  private firstTensorEndingAfter(offset: number): number {
    const ts = this.layout.tensors;
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid].offset + ts[mid].size <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async readInto(offset: number, target: Uint8Array, opts?: ReadOptions): Promise<void> {
    if (opts?.signal?.aborted) throw new GgufPagerError('SOURCE_ABORTED', `${this.name}: read at ${offset} aborted`, { offset });
    this.fill(offset, target);
  }

  /** The whole file as fresh chunks of `chunkBytes` (default 1 MiB), from `start`. */
  *chunks(chunkBytes = 1 << 20, start = 0): Generator<Uint8Array<ArrayBuffer>> {
    for (let off = start; off < this.size; off += chunkBytes) {
      const chunk = new Uint8Array(Math.min(chunkBytes, this.size - off));
      this.fill(off, chunk);
      yield chunk;
    }
  }

  /** One tensor's bytes (small tensors; tests). */
  tensorBytes(name: string): Uint8Array<ArrayBuffer> {
    const t = this.layout.tensors.find((x) => x.name === name);
    if (!t) throw new GgufPagerError('INVALID_ARGUMENT', `${this.name} has no tensor '${name}'`, { tensor: name });
    const out = new Uint8Array(t.size);
    this.fill(t.offset, out);
    return out;
  }
}

export function syntheticLlama(options: SyntheticLlamaOptions): SyntheticLlama {
  return new SyntheticLlama(options);
}
