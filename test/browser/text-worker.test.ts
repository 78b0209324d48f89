/**
 * The text layer in a Chromium worker: llama.cpp's tokenizer vectors for every
 * vocab fixture (encode and decode), the pre-tokenizer vectors, random round
 * trips, the same sampled ids as Node for the same seeds, and ChatML.
 */
import * as Comlink from 'comlink';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GOLDEN_IDS } from '../cases/text-sampling.ts';
import { VOCAB_FIXTURES } from '../cases/text-vocab.ts';
import type { TextWorkerApi } from './workers/text-worker.ts';

let worker: Worker;
let api: Comlink.Remote<TextWorkerApi>;
const base = inject('vocabBase');

beforeAll(() => {
  worker = new Worker(new URL('./workers/text-worker.ts', import.meta.url), { type: 'module' });
  api = Comlink.wrap<TextWorkerApi>(worker);
});

afterAll(() => worker.terminate());

describe('text in a Chromium worker', () => {
  it('runs in a WorkerGlobalScope', async () => {
    expect(await api.inWorker()).toBe(true);
  });

  for (const name of VOCAB_FIXTURES) {
    it(`${name}: all 46 llama.cpp vectors encode and decode as llama.cpp's`, async () => {
      const r = await api.vocab(base, name);
      expect(r.failures).toEqual([]);
      expect([r.total, r.encodePass, r.decodePass]).toEqual([46, 46, 46]);
    });
  }

  for (const pre of ['llama-bpe', 'qwen2', 'smollm']) {
    it(`pre-tokenizer ${pre}: every recorded llama.cpp case`, async () => {
      const r = await api.pretokenizer(base, pre);
      expect(r.failures).toEqual([]);
      expect(r.pass).toBe(r.total);
    });
  }

  it('random Unicode strings round-trip on every SPM and BPE fixture', async () => {
    for (const name of VOCAB_FIXTURES.filter((n) => n !== 'bert-bge')) expect(await api.roundTrip(base, name)).toEqual([]);
  });

  it('samples the same ids as Node for the same seeds and logits', async () => {
    expect(await api.sampling()).toEqual(GOLDEN_IDS);
  });

  it('renders ChatML with @huggingface/jinja', async () => {
    expect(await api.chat()).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
  });
});
