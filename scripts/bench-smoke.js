#!/usr/bin/env node
// Runs every `bench:*` script of package.json with `--smoke` (tiny sizes, a few seconds, no targets), so a bench
// that breaks fails the tests. The Wasm and Node builds a script starts with (`npm run -s build:*`) are skipped:
// run them first (npm test does). Prints one line per bench and "N passed, N failed"; --json writes the counts
// as one JSON line to the path after it. Usage: node scripts/bench-smoke.js [--only kernels] [--json out.json]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const at = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const only = at('--only');
const jsonOut = at('--json');
const TIMEOUT_MS = 180_000;

const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
/** The command of a bench script without its leading build steps. */
const withoutBuilds = (cmd) =>
  cmd
    .split('&&')
    .map((s) => s.trim())
    .filter((s) => !/^npm run -s build(:\w+)?$/.test(s))
    .join(' && ');

const results = [];
for (const [name, cmd] of Object.entries(scripts)) {
  if (!name.startsWith('bench:') || (only && !name.includes(only))) continue;
  const run = `${withoutBuilds(cmd)} --smoke`;
  const t0 = Date.now();
  const r = spawnSync('sh', ['-c', run], { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });
  const ok = r.status === 0;
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  results.push({ name, ok, seconds: Number(s) });
  process.stdout.write(`[bench-smoke] ${name}: ${ok ? 'ok' : `FAILED (${r.signal ?? `exit ${r.status}`})`} in ${s} s\n`);
  if (!ok) process.stdout.write(`${(r.stdout ?? '').slice(-2000)}\n${(r.stderr ?? '').slice(-4000)}\n`);
}
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
process.stdout.write(`[bench-smoke] ${passed} passed, ${failed} failed\n`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ passed, failed, results }));
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
