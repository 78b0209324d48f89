/**
 * The demo's starting values for a model, read from its GGUF header (a few
 * range reads, public API only): a RAM budget of about half the weights, so
 * the pager visibly pages, plus the KV pages a 2048-token context needs (or
 * the model's trained context when smaller) and the engine's working memory.
 */
import { HttpRangeSource, parseGguf, type GgufModel } from '../src/index.ts';
import { bytes } from './format.ts';

export interface ModelDefaults {
  budget: number;
  kvBytes: number;
  contextLength: number;
  weightBytes: number;
  /** One line for beside the budget field. */
  note: string;
}

/** The context the demo sizes the KV cache for, unless the model's own is smaller. */
export const DEMO_CONTEXT = 2048;
/** The runtime's KV pages: f16, 4096 elements (src/runtime/worker-runtime.ts defaults). */
const PAGE_ELEMS = 4096;
const PAGE_BYTES = PAGE_ELEMS * 2;
const ALIGN = 64 << 10;

function num(m: GgufModel, arch: string, key: string, fallback: number): number {
  const v = m.metadata.get(`${arch}.${key}`);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : fallback;
}

/** The defaults for a parsed model: `half` of its weights paged, its KV pages, the engine's scratch. */
export function defaultsOf(m: GgufModel, name: string): ModelDefaults {
  const arch = String(m.metadata.get('general.architecture') ?? 'llama');
  const nLayer = num(m, arch, 'block_count', 1);
  const nEmbd = num(m, arch, 'embedding_length', 1);
  const nHead = num(m, arch, 'attention.head_count', 1);
  const headDim = num(m, arch, 'attention.key_length', nEmbd / nHead);
  const kvDim = num(m, arch, 'attention.head_count_kv', nHead) * headDim;
  const nFf = num(m, arch, 'feed_forward_length', 4 * nEmbd);
  const vocab = (m.metadata.get('tokenizer.ggml.tokens') as unknown[] | undefined)?.length ?? 0;
  const contextLength = Math.min(DEMO_CONTEXT, num(m, arch, 'context_length', DEMO_CONTEXT));
  // As the engine counts them (src/engine/forward.ts): one layer more than the context needs stays spare.
  const perPage = Math.max(1, Math.floor(PAGE_ELEMS / (2 * kvDim)));
  const kvBytes = (nLayer + 1) * Math.ceil(contextLength / perPage) * PAGE_BYTES;
  const scratch = 4 * (32 * (6 * nEmbd + 2 * nFf + 4 * nHead * headDim) + vocab + contextLength) + m.tensors.length * 64;
  const weightBytes = m.totalTensorBytes;
  const budget = Math.ceil((weightBytes / 2 + kvBytes + scratch) / ALIGN) * ALIGN;
  const note =
    `about half of ${name}'s ${bytes(weightBytes)} of weights, so the pager has to page, ` +
    `+ ${bytes(kvBytes)} of KV cache for ${contextLength} tokens + ${bytes(scratch)} of working memory`;
  return { budget, kvBytes, contextLength, weightBytes, note };
}

/** Where the page keeps the defaults it computed, per absolute URL, so a reload reads no header again. */
const MEMO_PREFIX = 'gguf-pager-demo-defaults:';

function memoGet(href: string): ModelDefaults | null {
  try {
    const d = JSON.parse(localStorage.getItem(MEMO_PREFIX + href) ?? 'null') as ModelDefaults | null;
    return d && typeof d.budget === 'number' && typeof d.kvBytes === 'number' ? d : null;
  } catch {
    return null; // storage blocked or a stale shape: compute again
  }
}

function memoSet(href: string, d: ModelDefaults): void {
  try {
    localStorage.setItem(MEMO_PREFIX + href, JSON.stringify(d));
  } catch {
    /* storage full or blocked: the defaults are computed again next time */
  }
}

/** Reads the header of the model at `url` (once per URL: later calls answer from localStorage) and returns its defaults. */
export async function defaultsFor(url: string, signal?: AbortSignal): Promise<ModelDefaults> {
  const href = new URL(url, location.href).href;
  const memo = memoGet(href);
  if (memo) return memo;
  const src = await HttpRangeSource.open(href, { headBytes: 64 << 10, retries: 1, signal });
  try {
    const d = defaultsOf(await parseGguf(src, { signal }), url.split('?')[0].split('/').pop() || 'the model');
    memoSet(href, d);
    return d;
  } finally {
    await src.close();
  }
}
