/**
 * One generation on a model's engine: the prompt after the cached prefix, then
 * sample → stream → feed, until maxTokens, an end-of-generation token, a stop
 * string, the AbortSignal, or a full context. Pieces are handed to `onPiece`
 * as they come; the caller batches them across the worker boundary.
 */
import { GgufPagerError } from '../errors.ts';
import type { LayerPager } from '../pager/layer-pager.ts';
import type { SamplingOptions } from '../text/index.ts';
import { Sampler, StopMatcher, StreamingDetokenizer, type Tokenizer } from '../text/index.ts';
import type { Forward, LogitsSink } from './forward.ts';
import { GrammarMatcher, automatonOf, grammarError } from '../text/grammar/index.ts';

export type StopReason = 'maxTokens' | 'eog' | 'stop' | 'abort' | 'contextFull';

export interface GenerateOptions extends SamplingOptions {
  /** Tokens to generate at most (default 256). */
  maxTokens?: number;
  /** Strings that end the generation; never emitted. */
  stop?: readonly string[];
  signal?: AbortSignal;
  /** When the context is full, drop the oldest half of the tokens after the first `keep` and go on (default false: stop with contextFull). */
  contextShift?: boolean;
  /** Tokens at the start a context shift never drops (default 1: the BOS). */
  keep?: number;
  /** Token ids that end the generation like an end-of-generation token. */
  stopTokens?: readonly number[];
  /** Keep generating past end-of-generation tokens (default false). */
  ignoreEog?: boolean;
  /** Text prompts: parse special-token text such as `<|im_start|>` (default: true for chat, false for generate). */
  parseSpecial?: boolean;
  /** Text prompts: add BOS/EOS as the metadata says (default true). */
  addSpecial?: boolean;
  /** GBNF (llama.cpp's syntax): only tokens that keep the text inside the grammar are drawn; the generation stops ('stop') when the grammar is complete. */
  grammar?: string;
}

export interface Piece {
  id: number;
  text: string;
}

export interface GenerateResult {
  text: string;
  /** Generated ids (an end-of-generation token that stopped it is not included). */
  tokens: number[];
  stopReason: StopReason;
  /** Tokens in the prompt. */
  promptTokens: number;
  /** Prompt tokens computed in this call (the rest came from the KV cache). */
  promptTokensProcessed: number;
  generatedTokens: number;
  timeToFirstTokenMs: number;
  promptTokensPerSecond: number;
  tokensPerSecond: number;
  /** Bytes read from storage or the network during decoding, per generated token. */
  bytesLoadedPerToken: number;
  bytesLoaded: number;
}

export const DEFAULT_MAX_TOKENS = 256;

export interface GenerationContext {
  forward: Forward;
  pager: LayerPager;
  tokenizer: Tokenizer;
  /** Yields to the event loop (lets an abort message in). */
  yieldNow?: () => Promise<void>;
  now?: () => number;
  sink?: LogitsSink;
}

export async function generate(
  ctx: GenerationContext,
  prompt: string | readonly number[],
  opts: GenerateOptions,
  onPiece: (p: Piece) => void,
): Promise<GenerateResult> {
  const { forward, tokenizer } = ctx;
  const now = ctx.now ?? (() => performance.now());
  const maxTokens = opts.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new GgufPagerError('INVALID_ARGUMENT', `maxTokens must be an integer ≥ 0, got ${maxTokens}`, { maxTokens });
  }
  const ids =
    typeof prompt === 'string' ? tokenizer.encode(prompt, { addSpecial: opts.addSpecial ?? true, parseSpecial: opts.parseSpecial ?? false }) : [...prompt];
  if (ids.length === 0) throw new GgufPagerError('INVALID_ARGUMENT', 'the prompt has no tokens', {});
  const grammar = opts.grammar !== undefined ? new GrammarMatcher(automatonOf(opts.grammar), tokenizer) : null;

  const t0 = now();
  const loaded0 = bytesLoaded(ctx);
  const kv = forward.kv;
  let common = 0;
  while (common < kv.length && common < ids.length && kv.tokens[common] === ids[common]) common++;
  const reuse = Math.min(common, ids.length - 1);
  kv.truncate(reuse); // may keep fewer (a sliding window's ring freed what the cut needs): then recompute from there
  const fresh = ids.slice(kv.length);

  const sampler = new Sampler(opts, forward.hp.vocab);
  const detok = new StreamingDetokenizer(tokenizer);
  const stops = new StopMatcher(opts.stop ?? []);
  const tokens: number[] = [];
  let text = '';
  let stopReason: StopReason = 'maxTokens';
  const emit = (id: number, t: string): void => {
    text += t;
    onPiece({ id, text: t });
  };

  const aborted = (e: unknown): boolean => opts.signal?.aborted === true && (e as { code?: string }).code !== 'CONTEXT_FULL';
  let logits: Float32Array;
  try {
    logits = await forward.run(fresh, opts.signal, ctx.sink);
  } catch (e) {
    if (!aborted(e)) throw e;
    return { ...emptyResult(ids.length, fresh.length, now() - t0), stopReason: 'abort' };
  }
  const tPrompt = now();
  let tFirst = tPrompt;
  let decodeLoaded0 = bytesLoaded(ctx);
  let fed = 0;
  let grammarDone = false;
  for (;;) {
    if (opts.signal?.aborted) {
      stopReason = 'abort';
      break;
    }
    if (tokens.length >= maxTokens) {
      stopReason = 'maxTokens';
      break;
    }
    if (grammar && grammar.apply(logits) === 0) throw grammarError('no token of the vocabulary continues the text', { generated: tokens.length });
    const id = sampler.sample(logits);
    sampler.accept(id);
    grammar?.accept(id);
    if (tokens.length === 0) {
      tFirst = now();
      decodeLoaded0 = bytesLoaded(ctx);
    }
    if ((!opts.ignoreEog && tokenizer.isEog(id)) || opts.stopTokens?.includes(id)) {
      stopReason = 'eog';
      break;
    }
    tokens.push(id);
    const out = stops.push(detok.push(id));
    if (out.text || !out.stopped) emit(id, out.text);
    if (out.stopped) {
      stopReason = 'stop';
      break;
    }
    if (grammar?.complete) {
      grammarDone = true;
      break;
    }
    if (tokens.length >= maxTokens) {
      stopReason = 'maxTokens';
      break;
    }
    if (kv.length + 1 > kv.contextLength) {
      if (!opts.contextShift || (await forward.shiftContext(opts.keep ?? 1)) === 0) {
        stopReason = 'contextFull';
        break;
      }
    }
    await ctx.yieldNow?.();
    if (opts.signal?.aborted) {
      stopReason = 'abort';
      break;
    }
    try {
      logits = await forward.run([id], opts.signal, ctx.sink);
    } catch (e) {
      if (!aborted(e)) throw e;
      stopReason = 'abort';
      break;
    }
    fed++;
  }
  if (stopReason !== 'stop') {
    const rest = stops.push(detok.flush());
    const tail = rest.text + (rest.stopped ? '' : stops.flush());
    if (rest.stopped) stopReason = 'stop';
    if (tail) emit(-1, tail);
  }
  if (grammarDone) stopReason = 'stop';
  const tEnd = now();
  const decodeBytes = bytesLoaded(ctx) - decodeLoaded0;
  return {
    text,
    tokens,
    stopReason,
    promptTokens: ids.length,
    promptTokensProcessed: fresh.length,
    generatedTokens: tokens.length,
    timeToFirstTokenMs: tFirst - t0,
    promptTokensPerSecond: rate(fresh.length, tPrompt - t0),
    tokensPerSecond: rate(fed, tEnd - tFirst),
    bytesLoadedPerToken: fed > 0 ? decodeBytes / fed : 0,
    bytesLoaded: bytesLoaded(ctx) - loaded0,
  };
}

function emptyResult(promptTokens: number, processed: number, ms: number): GenerateResult {
  return {
    text: '',
    tokens: [],
    stopReason: 'abort',
    promptTokens,
    promptTokensProcessed: processed,
    generatedTokens: 0,
    timeToFirstTokenMs: ms,
    promptTokensPerSecond: 0,
    tokensPerSecond: 0,
    bytesLoadedPerToken: 0,
    bytesLoaded: 0,
  };
}

const rate = (n: number, ms: number): number => (ms > 0 ? (n * 1000) / ms : 0);

function bytesLoaded(ctx: GenerationContext): number {
  return ctx.pager.stats().bytesLoaded + ctx.forward.embeddings.bytesRead + (ctx.forward.head?.bytesRead ?? 0);
}
