/**
 * Kernel benchmark (npm run bench:kernels): GB/s of weight bytes through matvec for each weight type, 4096×4096
 * and 4096×11008 (the FFN shape), one thread, in Node and in headless Chromium, for both core builds (SIMD,
 * Relaxed SIMD; their test/bench builds build/core.testing*.wasm, which add the baselines' kernels). Baselines measured
 * in the same run on the same bytes:
 *   - ceiling: a v128 byte-sum over the weights (assembly/kernels/bytesum.ts), the streaming-bandwidth ceiling;
 *   - scalar: the same matvec with each type's scalar dot (kMatvecScalar).
 * matmul at batch 8, 32, 64 is reported as effective weight-GB/s per token (weight bytes × batch / time).
 * Medians of interleaved rounds; ratios are medians of per-round ratios (robust to other load on the machine). Flags: --json (one line), --quick (4096×4096 only), --node, --chromium, --smoke (16×8192, one sample: a check that it runs).
 */
import { readFile } from 'node:fs/promises';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/browser-launch.ts';
import { formatAttentionRows, runAttentionBench, type AttentionRow as OpsAttentionRow } from './kernels-attention.ts';
import { SMOKE } from './smoke.ts';
import { BENCH_TYPES, runKernelBench, type AttentionRow, type BenchConfig, type BenchRow } from './kernels-run.ts';

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
const envs = args.has('--node') || args.has('--chromium') ? ['node', 'chromium'].filter((e) => args.has(`--${e}`)) : ['node', 'chromium'];

const config: BenchConfig = SMOKE
  ? { types: BENCH_TYPES, shapes: [[16, 8192]], batches: [8, 64], sampleMs: 1, samples: 1 }
  : {
      types: BENCH_TYPES,
      shapes: quick
        ? [[4096, 4096]]
        : [
            [4096, 4096],
            [4096, 11008],
          ],
      batches: [8, 32, 64],
      sampleMs: 25,
      samples: 7,
    };

const root = new URL('../../', import.meta.url); // dist/bench/ → repository root
async function builds(): Promise<{ name: string; bytes: Uint8Array }[]> {
  return [
    { name: 'simd', bytes: await readFile(new URL('build/core.testing.wasm', root)) },
    { name: 'relaxed', bytes: await readFile(new URL('build/core.testing-relaxed.wasm', root)) },
  ];
}

async function inChromium(b: { name: string; bytes: Uint8Array }[]): Promise<{ rows: BenchRow[]; attention: AttentionRow[]; version: string }> {
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(0);
    const payload = b.map((x) => ({ name: x.name, bytes: Array.from(x.bytes) }));
    const body = runKernelBench.toString();
    const r = await page.evaluate(
      async ({ payload, config, body }) => {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        const run = new Function(`return (${body})`)() as typeof runKernelBench;
        return run(
          payload.map((p) => ({ name: p.name, bytes: new Uint8Array(p.bytes) })),
          config,
        );
      },
      { payload, config, body },
    );
    return { ...r, version: browser.version() };
  } finally {
    await browser.close();
  }
}

const f = (x: number, d = 2): string => x.toFixed(d);

function print(env: string, rows: BenchRow[], attention: AttentionRow[]): void {
  console.log(`\n## ${env}`);
  console.log('build    type  shape        ceiling GB/s  matvec GB/s  ×ceiling  scalar GB/s  ×scalar  matmul b8/b32/b64 GB/s per token  b32 ×matvec');
  for (const r of rows) {
    const mm = Object.values(r.matmulGBs);
    console.log(
      [
        r.build.padEnd(8),
        r.type.padEnd(5),
        `${r.rows}×${r.cols}`.padEnd(12),
        f(r.ceilingGBs).padStart(12),
        f(r.matvecGBs).padStart(12),
        f(r.vsCeiling).padStart(9),
        f(r.scalarGBs).padStart(12),
        f(r.vsScalar, 1).padStart(8),
        mm
          .map((v) => f(v, 1))
          .join(' / ')
          .padStart(34),
        f(r.matmulVsMatvec['32'] ?? NaN, 1).padStart(12),
      ].join(' '),
    );
  }
  for (const a of attention) console.log(`attention ${a.build} ${a.positions} positions: ${f(a.usPerToken, 1)} µs/token`);
}

const results: Record<string, { rows: BenchRow[]; attention: AttentionRow[]; version?: string }> = {};
const attentionByBuild: Record<string, OpsAttentionRow[]> = {};
const b = await builds();
if (envs.includes('node')) {
  if (!process.execArgv.some((a) => a.includes('relaxed-simd')) && !process.versions.v8.match(/^(1[2-9]|[2-9]\d)\./)) {
    throw new Error('run with node --experimental-wasm-relaxed-simd (npm run bench:kernels does) to measure the Relaxed SIMD build');
  }
  results.node = { ...(await runKernelBench(b, config)), version: process.version };
  if (!json) print(`Node ${process.version}`, results.node.rows, results.node.attention);
  // Attention over paged KV (K3's kAttention), 512 and 2048 cached positions, f16 and f32 pages, both builds.
  for (const build of b) {
    const rows = await runAttentionBench(SMOKE ? 20 : quick ? 300 : 800, build.bytes);
    attentionByBuild[build.name] = rows;
    if (!json) console.log(`\nNode, ${build.name} build:\n${formatAttentionRows(rows)}`);
  }
}
if (envs.includes('chromium')) {
  results.chromium = await inChromium(b);
  if (!json) print(`Chromium ${results.chromium.version} (headless, page)`, results.chromium.rows, results.chromium.attention);
}
if (json)
  console.log(JSON.stringify({ bench: 'kernels', config: { ...config, types: config.types.map((t) => t[0]) }, results, attentionNode: attentionByBuild }));
