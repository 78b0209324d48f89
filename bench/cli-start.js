// `npm run bench:cli [-- --json] [-- --runs N]`: wall time of `gguf-pager inspect <local file>` from the
// packaged CLI (dist/cli.js, built by `npm run build`), median of N runs, against a bare `node -e 0`
// start measured in the same run (the baseline: what no CLI can go below).
// `--smoke`: 2 runs, and dist/cli.js built first when missing (a check that it runs).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = `${ROOT}dist/cli.js`;
const FIXTURES = process.env.GGUF_PAGER_FIXTURES ?? `${ROOT}../shared/fixtures`;
const MODELS = ['models/stories260K.gguf', 'models/llama-2-tiny-random.gguf'].map((m) => `${FIXTURES}/${m}`);
const json = process.argv.includes('--json');
const runsAt = process.argv.indexOf('--runs');
const smoke = process.argv.includes('--smoke');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : smoke ? 2 : 21;

if (!existsSync(CLI) && smoke) execFileSync(process.execPath, [`${ROOT}scripts/build-lib.js`], { stdio: 'inherit' });
if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
for (const m of MODELS) if (!existsSync(m)) throw new Error(`fixture ${m} not found (set GGUF_PAGER_FIXTURES)`);

function median(args) {
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

const baseline = median(['-e', '0']);
const rows = MODELS.map((m) => ({ file: m.slice(m.lastIndexOf('/') + 1), medianMs: median([CLI, 'inspect', m]) }));
if (json) {
  process.stdout.write(
    JSON.stringify({ bench: 'cli-start', runs: RUNS, baselineNodeMs: baseline, inspect: rows.map((r) => ({ ...r, ratioToNode: r.medianMs / baseline })) }) +
      '\n',
  );
} else {
  process.stdout.write(`gguf-pager inspect, median of ${RUNS} runs (baseline: node -e 0 = ${baseline.toFixed(0)} ms)\n`);
  for (const r of rows)
    process.stdout.write(`  ${r.file.padEnd(28)} ${r.medianMs.toFixed(0).padStart(5)} ms   ${(r.medianMs / baseline).toFixed(2)}× node start\n`);
}
