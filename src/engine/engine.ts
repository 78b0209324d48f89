/**
 * A loaded model's generation engine: the forward pass, its KV cache and the
 * model's tokenizer: the generate/chat the API exposes (warm-up runs a real
 * short generation through it). One generation at a time per model: calls queue.
 */
import type { Core } from '../core/core.ts';
import type { GgufModel } from '../gguf/types.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import type { PagerSource } from '../sources/source.ts';
import { applyChatTemplate, chatTemplateOptions, createTokenizer, type ChatMessage, type ChatTemplateOptions, type Tokenizer } from '../text/index.ts';
import { mergeSystemMessage, supportsSystemRole } from './chat-roles.ts';
import { Forward, type ForwardOptions, type LogitsSink } from './forward.ts';
import { generate, type GenerateOptions, type GenerateResult, type Piece } from './generation.ts';
import { modelPooling, pooledEmbeddings, type Pooling } from './pooled-embeddings.ts';

/** What a chat call may set of the template: a Jinja template instead of the model's `tokenizer.chat_template`, and the generation prompt. */
export type ChatCallTemplate = Pick<ChatTemplateOptions, 'addGenerationPrompt' | 'template' | 'templateVars'>;

export type { ChatMessage };

export class ModelEngine {
  readonly forward: Forward;
  readonly tokenizer: Tokenizer;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly core: Core,
    readonly model: GgufModel,
    readonly pager: LayerPager,
    sources: readonly PagerSource[],
    readonly label: string,
    opts: ForwardOptions = {},
  ) {
    this.tokenizer = createTokenizer(model.metadata);
    this.forward = new Forward(core, model, pager, sources, label, opts);
  }

  /** Whether the model generates text (an encoder such as bert computes embeddings only; `forward.generateError` says why). */
  get canGenerate(): boolean {
    return this.forward.generateError === undefined;
  }

  get contextLength(): number {
    return this.forward.kv.contextLength;
  }

  /** Tokens whose K and V are cached (the prefix a next call may reuse). */
  get cachedTokens(): readonly number[] {
    return this.forward.kv.tokens;
  }

  /** Generates from text or token ids, streaming pieces to onPiece. */
  generate(
    prompt: string | readonly number[],
    opts: GenerateOptions & { onLogits?: LogitsSink } = {},
    onPiece: (p: Piece) => void = () => {},
  ): Promise<GenerateResult> {
    const cannot = this.forward.generateError;
    if (cannot) return Promise.reject(cannot);
    return this.serial(() =>
      generate({ forward: this.forward, pager: this.pager, tokenizer: this.tokenizer, yieldNow, sink: opts.onLogits }, prompt, opts, onPiece),
    );
  }

  chat(messages: readonly ChatMessage[], opts: GenerateOptions & ChatCallTemplate = {}, onPiece?: (p: Piece) => void): Promise<GenerateResult> {
    const prompt = this.applyChatTemplate(messages, { addGenerationPrompt: true, template: opts.template, templateVars: opts.templateVars });
    const bos = this.tokenizer.bos;
    const bosText = bos === null ? '' : this.tokenizer.tokenText(bos);
    const addSpecial = opts.addSpecial ?? !(bosText && prompt.startsWith(bosText));
    return this.generate(prompt, { ...opts, parseSpecial: opts.parseSpecial ?? true, addSpecial }, onPiece);
  }

  /** The prompt of `messages` under the model's template (or opts.template); a template without a system role gets the system text merged into the next message, as llama.cpp does. */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatCallTemplate = {}): string {
    const base = chatTemplateOptions(this.model.metadata, this.tokenizer);
    const o = {
      ...base,
      ...(opts.template !== undefined ? { template: opts.template } : {}),
      modelName: base.modelName ?? this.label,
      addGenerationPrompt: opts.addGenerationPrompt ?? true,
      extra: opts.templateVars,
    };
    const system = messages[0]?.role === 'system';
    const keep = !system || supportsSystemRole(o.template ?? '', (m) => applyChatTemplate(m, { ...o, addGenerationPrompt: false }).prompt);
    return applyChatTemplate(keep ? [...messages] : mergeSystemMessage(messages), o).prompt;
  }

  tokenize(text: string, opts?: { addSpecial?: boolean; parseSpecial?: boolean }): number[] {
    return this.tokenizer.encode(text, opts);
  }

  detokenize(ids: readonly number[], opts?: { renderSpecial?: boolean }): string {
    return this.tokenizer.decode(ids, opts);
  }

  /** Pooled, L2-normalized embeddings of each input (text or ids), after the queued generations; the KV cache is left empty. */
  embed(
    inputs: ReadonlyArray<string | readonly number[]>,
    opts: { pooling?: Pooling; signal?: AbortSignal } = {},
  ): Promise<{ vectors: number[][]; tokens: number }> {
    const ids = inputs.map((x) => (typeof x === 'string' ? this.tokenizer.encode(x) : [...x]));
    const pooling = opts.pooling ?? modelPooling(this.model);
    return this.serial(async () => ({
      vectors: await pooledEmbeddings(this.forward, ids, pooling, opts.signal),
      tokens: ids.reduce((a, x) => a + x.length, 0),
    }));
  }

  /** Drops the cached tokens (frees their KV pages). */
  reset(): void {
    this.forward.kv.clear();
  }

  dispose(): void {
    this.forward.dispose();
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** A macrotask boundary: an abort posted to the worker is seen between tokens. */
export function yieldNow(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      r();
    };
    ch.port2.postMessage(0);
  });
}
