/**
 * K-quant kernel micro-benchmark (npm run bench:kquants), for tuning assembly/kernels/q*_k.ts.
 * The project's kernel benchmark is npm run bench:kernels; this one measures only the K-quant dots.
 *
 * Workload: a 4096 × 4096 weight matrix of each type (random quants, f16 scales in ±[2^-14, 1)),
 * one Q8_K activation of 4096 elements; y = W·a through kqMatvec, one thread.
 * Prints GB/s of weight bytes per second of this thread's CPU time (process.cpuUsage, so that other
 * processes on a shared machine count less; median of RUNS runs) of the SIMD kernel and of its scalar reference
 * (the named baseline, same run, same core), for the plain-SIMD build and, where the engine has
 * Relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd), the Relaxed build; and kqMatmul with 32 activations
 * (weight GB/s per token, against the matvec figure). `--json`: one JSON line.
 * The kq* entry points are test-only: the cores here are the test/bench build (build/core.testing*.wasm).
 */
import { readFile } from 'node:fs/promises';
import type { Core } from '../src/core/core.ts';
import { prng } from '../test/cases/prng.ts';
import { createTestingCore } from '../test/cases/testing-core.ts';
import { sized } from './smoke.ts';

const ROWS = sized(4096, 64);
const COLS = sized(4096, 512);
const RUNS = sized(7, 1);
const SCALAR_RUNS = sized(3, 1);
const BATCH = sized(32, 4);
const TYPES = [
  ['Q2_K', 10, 84, [80, 82]],
  ['Q3_K', 11, 110, [108]],
  ['Q4_K', 12, 144, [0, 2]],
  ['Q5_K', 13, 176, [0, 2]],
  ['Q6_K', 14, 210, [208]],
] as const;

interface Row {
  build: string;
  type: string;
  simdGBs: number;
  scalarGBs: number;
  ratio: number;
  matmulGBsPerToken: number;
  matmulRatio: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function fillWeights(core: Core, w: number, rowBytes: number, blockBytes: number, halves: readonly number[], rnd: () => number): void {
  const bytes = new Uint8Array(core.memory.buffer, w, ROWS * rowBytes);
  const words = new Uint32Array(core.memory.buffer, w, Math.floor(bytes.length / 4));
  let s = Math.floor(rnd() * 2 ** 32) | 1;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
  const dv = new DataView(core.memory.buffer, w, bytes.length);
  for (let b = 0; b < bytes.length / blockBytes; b++) {
    for (const off of halves)
      dv.setUint16(b * blockBytes + off, (rnd() < 0.5 ? 0x8000 : 0) | ((1 + Math.floor(rnd() * 14)) << 10) | Math.floor(rnd() * 1024), true);
  }
}

function time(fn: () => void, runs: number): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up: V8 runs wasm in Liftoff until TurboFan code is ready (no OSR)
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.cpuUsage();
    fn();
    const dt = process.cpuUsage(t0);
    ts.push((dt.user + dt.system) / 1e6);
  }
  return median(ts);
}

async function benchBuild(build: string, module: BufferSource): Promise<Row[]> {
  const core = await createTestingCore({ arenaBytes: 32 * 1024 * 1024, module });
  const x = core.exports;
  const alloc = (bytes: number): number => core.arena.ptr(core.arena.alloc(bytes));
  const rnd = prng(4096);
  const ab = x.kqQ8KBytes(COLS);
  const xp = alloc(COLS * 4),
    acts = alloc(BATCH * ab),
    y = alloc(BATCH * ROWS * 4);
  const xs = new Float32Array(core.memory.buffer, xp, COLS);
  for (let b = 0; b < BATCH; b++) {
    for (let i = 0; i < COLS; i++) xs[i] = rnd() * 2 - 1;
    if (x.kqQuantizeQ8K(xp, acts + b * ab, COLS) !== 0) throw new Error('kqQuantizeQ8K failed');
  }
  const a = acts;
  const w = alloc(ROWS * x.kqRowBytes(14, COLS));
  const rows: Row[] = [];
  for (const [type, id, blockBytes, halves] of TYPES) {
    const rowBytes = x.kqRowBytes(id, COLS);
    fillWeights(core, w, rowBytes, blockBytes, halves, rnd);
    const gb = (ROWS * rowBytes) / 1e9;
    const run = (scalar: number) => () => {
      if (x.kqMatvec(id, w, ROWS, COLS, a, y, scalar) !== 0) throw new Error(`kqMatvec ${type} failed`);
    };
    const simd = gb / time(run(0), RUNS);
    const scalar = gb / time(run(1), SCALAR_RUNS);
    const matmul =
      (gb * BATCH) /
      time(() => {
        if (x.kqMatmul(id, w, ROWS, COLS, acts, BATCH, y) !== 0) throw new Error(`kqMatmul ${type} failed`);
      }, 3);
    rows.push({ build, type, simdGBs: simd, scalarGBs: scalar, ratio: simd / scalar, matmulGBsPerToken: matmul, matmulRatio: matmul / simd });
  }
  return rows;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const build = (file: string): URL => new URL(`../../build/${file}`, import.meta.url); // dist/bench/ → build/
  const relaxedBytes = await readFile(build('core.testing-relaxed.wasm')).catch(() => null);
  const rows = await benchBuild('simd', await readFile(build('core.testing.wasm')));
  let relaxedNote = '';
  if (relaxedBytes && WebAssembly.validate(relaxedBytes)) rows.push(...(await benchBuild('relaxed', relaxedBytes)));
  else relaxedNote = relaxedBytes ? 'this engine has no Relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd)' : 'build/core.testing-relaxed.wasm not built';
  if (json) {
    process.stdout.write(JSON.stringify({ bench: 'kquants', rows: ROWS, cols: COLS, node: process.version, results: rows, relaxedNote }) + '\n');
    return;
  }
  console.log(
    `K-quant matvec ${ROWS}×${COLS}, one thread, ${process.version}; GB/s of weight bytes per CPU-second, median of ${RUNS} (scalar: ${SCALAR_RUNS})`,
  );
  console.log(`build    type   SIMD GB/s  scalar GB/s  SIMD/scalar  matmul b${BATCH} GB/s·token  vs matvec`);
  for (const r of rows) {
    console.log(
      `${r.build.padEnd(8)} ${r.type.padEnd(6)} ${r.simdGBs.toFixed(2).padStart(9)}  ${r.scalarGBs.toFixed(3).padStart(11)}  ${r.ratio.toFixed(1).padStart(10)}×  ${r.matmulGBsPerToken.toFixed(2).padStart(20)}  ${r.matmulRatio.toFixed(2).padStart(8)}×`,
    );
  }
  if (relaxedNote) console.log(`relaxed: ${relaxedNote}`);
}

await main();
