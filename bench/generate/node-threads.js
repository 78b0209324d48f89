#!/usr/bin/env node
// The Node rows of `bench:generate --threads 1,N`: one engine per thread count on the same file in this process, each
// warmed by one generation, then --runs rounds that run every thread count once, in turn, on the same prompt (so the
// counts see the same machine: on a shared one, runs minutes apart differ more than the counts do). Prints one JSON
// line: per thread count the median prompt and decode tokens/s, and the median of each round's ratio to 1 thread.
// usage: node --experimental-wasm-relaxed-simd bench/generate/node-threads.js <model.gguf> <prompt> <decode> <runs> <t1,t2,…>
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [path, prompt, decodeArg, runsArg, threadsArg] = process.argv.slice(2);
const dist = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/src');
const { openStandalone } = await import(join(dist, 'engine/standalone.js'));
const { FileSource } = await import(join(dist, 'sources/file.js'));
const threads = threadsArg.split(',').map(Number);
const median = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];

const src = await FileSource.open(path);
const engines = [];
try {
  for (const t of threads) engines.push(await openStandalone([src], { threads: t, contextLength: 512 }));
  const gen = async (s) => {
    s.engine.reset();
    return s.engine.generate(prompt, { maxTokens: Number(decodeArg), temperature: 0 }, () => {});
  };
  for (const s of engines) await gen(s); // warm: weights paged in, code compiled
  const runs = engines.map(() => []);
  for (let r = 0; r < Math.max(1, Number(runsArg)); r++) {
    for (let i = 0; i < engines.length; i++) runs[i].push(await gen(engines[i]));
  }
  const rows = engines.map((s, i) => ({
    threads: s.core.threads.count,
    promptTokens: runs[i][0].promptTokens,
    decodeTokens: runs[i][0].generatedTokens,
    promptTokensPerSecond: median(runs[i].map((x) => x.promptTokensPerSecond)),
    decodeTokensPerSecond: median(runs[i].map((x) => x.tokensPerSecond)),
    promptRatio: median(runs[i].map((x, r) => x.promptTokensPerSecond / runs[0][r].promptTokensPerSecond)),
    decodeRatio: median(runs[i].map((x, r) => x.tokensPerSecond / runs[0][r].tokensPerSecond)),
  }));
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} finally {
  for (const s of engines) await s.dispose();
  await src.close?.();
}
