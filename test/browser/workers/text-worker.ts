/**
 * The text checks of test/cases (llama.cpp's tokenizer vectors, the
 * pre-tokenizer vectors, random round trips, the recorded sampling sequences,
 * a chat template) run inside a dedicated worker, for test/browser/text-worker.test.ts.
 * The vocab fixtures are fetched from the tests' range server.
 */
import * as Comlink from 'comlink';
import detokenized from '../../vectors/text/detokenize.json';
import llamaBpe from '../../vectors/text/pretokenizer-llama-bpe.json';
import qwen2 from '../../vectors/text/pretokenizer-qwen2.json';
import smollm from '../../vectors/text/pretokenizer-smollm.json';
import { applyChatTemplate } from '../../../src/text/index.ts';
import { checkPretokenizer, checkRoundTrip, checkVocab, type PretokenizerVectors, type VocabReport } from '../../cases/text-vocab.ts';
import { GOLDEN_OPTIONS, sampleSequence } from '../../cases/text-sampling.ts';

const PRE: Record<string, PretokenizerVectors> = { 'llama-bpe': llamaBpe, qwen2, smollm } as Record<string, PretokenizerVectors>;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function fetchText(url: string): Promise<string> {
  return new TextDecoder().decode(await fetchBytes(url));
}

const api = {
  inWorker(): boolean {
    return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined' && typeof document === 'undefined';
  },
  async vocab(base: string, name: string): Promise<VocabReport> {
    const file = `${base}/ggml-vocab-${name}.gguf`;
    const [gguf, inp, out] = await Promise.all([fetchBytes(file), fetchText(`${file}.inp`), fetchText(`${file}.out`)]);
    return checkVocab(name, { gguf, inp, out, detok: (detokenized.vocabs as Record<string, string[]>)[name] });
  },
  async pretokenizer(base: string, pre: string): Promise<{ total: number; pass: number; failures: string[] }> {
    const v = PRE[pre];
    return checkPretokenizer(await fetchBytes(`${base}/${v.base.replace(/^vocab\//, '')}`), v);
  },
  async roundTrip(base: string, name: string): Promise<string[]> {
    return checkRoundTrip(name, await fetchBytes(`${base}/ggml-vocab-${name}.gguf`), 7, 150);
  },
  sampling(): Record<string, number[]> {
    return Object.fromEntries(Object.keys(GOLDEN_OPTIONS).map((k) => [k, sampleSequence(k)]));
  },
  chat(): string {
    return applyChatTemplate([{ role: 'user', content: 'Hi' }], {}).prompt;
  },
};

export type TextWorkerApi = typeof api;
Comlink.expose(api);
