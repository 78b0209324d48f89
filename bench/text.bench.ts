/**
 * Text benchmark (npm run bench:text; `--json` prints one JSON line).
 *
 * Encode: 1 MiB of synthetic English (seeded): words drawn with Zipf
 * frequencies from the lower-case words of llama's vocabulary, one in twenty a
 * made-up word (cache misses, rare merges), numbers, capitals, punctuation and
 * paragraphs. Encoded with a fresh tokenizer each run (cold word cache), for
 * the 32k SPM vocabulary (llama-spm) and the largest BPE vocabulary among the
 * shared fixtures (deepseek-llm, 102,400 tokens), plus gpt-2's (50k). Baseline
 * in the same run: TextEncoder.encode of the same text. Target ≥ 5 MB/s.
 *
 * Sampling: one step on a 128,256-token vocabulary (llama 3's size) with
 * random logits, llama.cpp's default chain (top-k 40, top-p 0.95, min-p 0.05,
 * temperature 0.8, repetition penalty 1.1 over 64 tokens), and top-p 0.95
 * without top-k; baseline: sorting the logits once (what partial selection
 * avoids). Target ≤ 1 ms per step. Medians; other processes make the figures noisy.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseGguf } from '../src/gguf/parse.ts';
import { MemorySource } from '../src/sources/memory.ts';
import { createTokenizer, Sampler, type SamplingOptions } from '../src/text/index.ts';
import type { GgufModel } from '../src/gguf/types.ts';
import { prng } from '../test/cases/prng.ts';
import { SMOKE, sized } from './smoke.ts';
import { maskBench, unionVocab } from './grammar-mask.ts';

const json = process.argv.includes('--json');
const RUNS = sized(5, 1);
const MiB = 1 << 20;
// dist/bench/ → repository root → ../shared/fixtures (or $GGUF_PAGER_FIXTURES)
const FIXTURES = process.env.GGUF_PAGER_FIXTURES ?? resolve(fileURLToPath(new URL('../../', import.meta.url)), '../shared/fixtures');

async function model(name: string): Promise<GgufModel> {
  const bytes = new Uint8Array(await readFile(`${FIXTURES}/vocab/ggml-vocab-${name}.gguf`));
  return parseGguf(new MemorySource(bytes, name));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function englishText(words: string[], bytes: number): string {
  const rnd = prng(2024);
  const weights = words.map((_, i) => 1 / (i + 10));
  const cum: number[] = [];
  let total = 0;
  for (const w of weights) cum.push((total += w));
  const pick = (): string => {
    const r = rnd() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return words[lo];
  };
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const n = 6 + Math.floor(rnd() * 18);
    const sentence: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = rnd();
      let w =
        r < 0.05
          ? Array.from({ length: 3 + Math.floor(rnd() * 8) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join('')
          : r < 0.07
            ? String(Math.floor(rnd() * 100000))
            : pick();
      if (i === 0 || rnd() < 0.03) w = w[0].toUpperCase() + w.slice(1);
      if (i < n - 1 && rnd() < 0.08) w += ',';
      sentence.push(w);
    }
    const s = sentence.join(' ') + (rnd() < 0.1 ? '?' : '.') + (rnd() < 0.15 ? '\n\n' : ' ');
    parts.push(s);
    size += s.length;
  }
  return parts.join('').slice(0, bytes);
}

interface EncodeResult {
  vocab: string;
  vocabSize: number;
  tokens: number;
  /** Fresh tokenizer (empty word cache): by wall clock and by this process's CPU time. */
  coldMbPerS: number;
  coldCpuMbPerS: number;
  /** The same text again (every word cached). */
  warmMbPerS: number;
  warmCpuMbPerS: number;
  baselineMbPerS: number;
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

function encodeBench(name: string, m: GgufModel, text: string): EncodeResult {
  const mb = new TextEncoder().encode(text).length / 1e6;
  const r = { cold: [] as number[], coldCpu: [] as number[], warm: [] as number[], warmCpu: [] as number[], base: [] as number[] };
  let tokens = 0;
  let vocabSize = 0;
  for (let run = 0; run <= RUNS; run++) {
    const tok = createTokenizer(m);
    vocabSize = tok.vocabSize;
    let c0 = process.cpuUsage();
    const t0 = performance.now();
    tokens = tok.encode(text, { addSpecial: false }).length;
    const t1 = performance.now();
    const cold = cpuMs(process.cpuUsage(c0));
    c0 = process.cpuUsage();
    const t2 = performance.now();
    tok.encode(text, { addSpecial: false });
    const t3 = performance.now();
    const warm = cpuMs(process.cpuUsage(c0));
    const b = new TextEncoder().encode(text).length;
    const t4 = performance.now();
    if (b === 0) throw new Error('empty');
    if (run === 0) continue; // warm-up of the JIT
    r.cold.push(t1 - t0);
    r.coldCpu.push(cold);
    r.warm.push(t3 - t2);
    r.warmCpu.push(warm);
    r.base.push(t4 - t3);
  }
  const rate = (ms: number[]) => mb / (median(ms) / 1000);
  return {
    vocab: name,
    vocabSize,
    tokens,
    coldMbPerS: rate(r.cold),
    coldCpuMbPerS: rate(r.coldCpu),
    warmMbPerS: rate(r.warm),
    warmCpuMbPerS: rate(r.warmCpu),
    baselineMbPerS: rate(r.base),
  };
}

interface SampleResult {
  name: string;
  msPerStep: number;
  sortBaselineMs: number;
}

function sampleBench(name: string, opts: SamplingOptions, logits: Float32Array): SampleResult {
  const s = new Sampler({ ...opts, seed: 1 }, logits.length);
  for (let i = 0; i < 64; i++) s.accept(i * 1000);
  const steps = sized(200, 30);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const id = s.sample(logits);
    times.push(performance.now() - t0);
    s.accept(id);
  }
  const sorts: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    Float32Array.from(logits).sort();
    sorts.push(performance.now() - t0);
  }
  return { name, msPerStep: median(times.slice(20)), sortBaselineMs: median(sorts) };
}

async function main(): Promise<void> {
  const spm = await model('llama-spm');
  const words = (spm.metadata.get('tokenizer.ggml.tokens') as string[]).filter((t) => /^\u2581[a-z]{2,}$/.test(t)).map((t) => t.slice(1));
  const text = englishText(words, sized(MiB, 16 << 10));
  const encode = [
    encodeBench('llama-spm (SPM)', spm, text),
    encodeBench('deepseek-llm (BPE)', await model('deepseek-llm'), text),
    encodeBench('gpt-2 (BPE)', await model('gpt-2'), text),
  ];
  const rnd = prng(5);
  const logits = Float32Array.from({ length: 128_256 }, () => (rnd() + rnd() + rnd() - 1.5) * 6);
  const sample = [
    sampleBench('default chain (top-k 40, top-p .95, min-p .05, temp .8, repeat 1.1)', { repeatPenalty: 1.1 }, logits),
    sampleBench('top-p .95 without top-k', { topK: 0, topP: 0.95, minP: 0 }, logits),
    sampleBench('greedy', { temperature: 0 }, logits),
  ];
  const deepseek = createTokenizer(await model('deepseek-llm'));
  const grammar = maskBench(
    unionVocab(deepseek, await Promise.all(['gpt-2', 'falcon', 'starcoder'].map(async (n) => createTokenizer(await model(n))))),
    deepseek,
  );
  if (json) {
    process.stdout.write(
      JSON.stringify({ bench: 'text', textBytes: MiB, encode, sample, grammar, targets: { encodeMbPerS: 5, sampleMs: 1, grammarMaskMs: 2 } }) + '\n',
    );
    return;
  }
  const f = (x: number, d = 2) => x.toFixed(d);
  const target = (met: boolean, missed: string) => (SMOKE ? '(smoke: no target)' : met ? 'OK' : missed);
  console.log(`# encode 1 MiB of synthetic English, median of ${RUNS} runs (target >= 5 MB/s); MB/s by wall clock / by this process's CPU time`);
  console.log('# (the CPU-time figure is what an unloaded core gives; the wall clock counts time other processes took from it)');
  for (const e of encode) {
    console.log(
      `${e.vocab.padEnd(20)} ${String(e.vocabSize).padStart(6)}-token vocab, ${e.tokens} tokens: ` +
        `cold cache ${f(e.coldMbPerS)} / ${f(e.coldCpuMbPerS)} MB/s ${target(e.coldCpuMbPerS >= 5, 'BELOW TARGET')}, ` +
        `warm cache ${f(e.warmMbPerS)} / ${f(e.warmCpuMbPerS)} MB/s ${target(e.warmCpuMbPerS >= 5, 'BELOW TARGET')}; ` +
        `TextEncoder ${f(e.baselineMbPerS, 0)} MB/s (cold tokenizer at ${f(e.coldMbPerS / e.baselineMbPerS, 4)}x of it)`,
    );
  }
  console.log(`\n# sampling one step on a ${logits.length}-token vocabulary, median of 180 steps (target <= 1 ms)`);
  for (const s of sample) {
    console.log(
      `${s.name}: ${f(s.msPerStep, 3)} ms/step; sorting the logits once ${f(s.sortBaselineMs, 2)} ms (${f(s.sortBaselineMs / s.msPerStep, 1)}x) ${target(s.msPerStep <= 1, 'ABOVE TARGET')}`,
    );
  }
  console.log(
    `\n# grammar mask per step on a ${grammar[0].vocabSize}-token vocabulary (bench/grammar-mask.ts), this process's CPU ms, median / p90 (target <= 2 ms)`,
  );
  for (const g of grammar) {
    console.log(
      `${g.grammar}, ${g.steps} steps: cold automaton ${f(g.coldMedianMs, 3)} / ${f(g.coldP90Ms, 3)} ms, warm ${f(g.warmMedianMs, 3)} / ${f(g.warmP90Ms, 3)} ms ` +
        `(${f(g.walksPerStepWarm, 2)} trie walks per warm step) ${g.warmMedianMs <= 2 ? 'OK' : 'ABOVE TARGET'}`,
    );
  }
}

await main();
