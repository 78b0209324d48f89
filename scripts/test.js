// `npm test`: build, then every test — typecheck, lint, unused code (knip), Node unit tests and browser
// tests (Vitest, real headless Chromium), then every bench:* with --smoke, then Playwright end-to-end tests, then
// the consumer tests (the packed tarball installed into apps, test/consumers/).
// Prints one closing line "N passed, N failed" summed over all runners.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findChromium, findNginx } from './find-browser.js';

const log = (m) => process.stdout.write(`\n[test] ${m}\n`);
const bin = (name) => `node_modules/.bin/${name}`;

function step(title, cmd, args, env = {}) {
  log(title);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  log(`${title}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

let chromium;
try {
  chromium = findChromium();
} catch (e) {
  process.stderr.write(`[test] ${e.message}\n`);
  process.exit(1);
}
const nginx = findNginx();
log(`browser: ${chromium}; nginx: ${nginx ?? 'not found (the nginx tests will fail and say why)'}`);
const env = { CHROMIUM_PATH: chromium, ...(nginx ? { NGINX_PATH: nginx } : {}) };

mkdirSync('test-results', { recursive: true });
const results = [];
let ok = true;
ok = step('build the Wasm core', 'npm', ['run', '-s', 'build:wasm']) && ok;
ok = step('compile TypeScript for Node (CLI)', 'npm', ['run', '-s', 'build:node']) && ok;
ok = step('typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) && ok;
results.push(['typecheck', ok ? 1 : 0, ok ? 0 : 1]);
const lintOk = step('lint and format (Biome, biome.json: biome check)', bin('biome'), ['check']);
ok = lintOk && ok;
results.push(['lint', lintOk ? 1 : 0, lintOk ? 0 : 1]);
// Unused files, dependencies, exports and types (knip.json); then, with tests, benches and scripts left out, exports
// that only they use, which must say so (`@internal`). Dev-only files in src/ (authoring tools, the offline optimum)
// are not counted as unused in the second run: it checks exports and types only.
const knipOk =
  step('unused code (knip, knip.json)', bin('knip'), []) &&
  step('exports only tests use are @internal (knip --production)', bin('knip'), ['--production', '--include', 'exports,types']);
ok = knipOk && ok;
results.push(['knip', knipOk ? 1 : 0, knipOk ? 0 : 1]);

const vitestJson = 'test-results/vitest.json';
const vOk = step(
  'Vitest: Node unit tests and headless Chromium browser tests',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`],
  env,
);
ok = vOk && ok;
if (existsSync(vitestJson)) {
  const j = JSON.parse(readFileSync(vitestJson, 'utf8'));
  results.push(['vitest', j.numPassedTests, j.numFailedTests + (vOk || j.numFailedTests ? 0 : 1)]);
} else results.push(['vitest', 0, 1]);

// Every bench:* script briefly (--smoke), so a bench that rots fails here (scripts/bench-smoke.js).
const bJson = 'test-results/bench-smoke.json';
const bOk = step('Bench smoke runs: every bench:* script with --smoke', 'node', ['scripts/bench-smoke.js', '--json', bJson], env);
ok = bOk && ok;
if (existsSync(bJson)) {
  const b = JSON.parse(readFileSync(bJson, 'utf8'));
  results.push(['bench smoke', b.passed, b.failed + (bOk || b.failed ? 0 : 1)]);
} else results.push(['bench smoke', 0, 1]);

if (existsSync('playwright.config.ts')) {
  const pwJson = 'test-results/playwright.json';
  const pOk = step('Playwright end-to-end tests', bin('playwright'), ['test', '--reporter=list,json'], { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  ok = pOk && ok;
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats ?? {};
    results.push(['playwright', (s.expected ?? 0) + (s.flaky ?? 0), (s.unexpected ?? 0) + (pOk || s.unexpected ? 0 : 1)]);
  } else results.push(['playwright', 0, 1]);
}

// The package as users get it: npm pack (prepack builds dist/), npm install into fresh apps, run in Chromium.
const cJson = resolve('test-results/consumers.json'); // absolute: Playwright resolves a relative name against its config's folder
const cOk = step(
  'Consumer tests: npm pack, install into a Vite app, a webpack app and a plain ESM page; the installed CLI',
  bin('playwright'),
  ['test', '--config', 'test/consumers/playwright.config.ts', '--reporter=list,json'],
  { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: cJson },
);
ok = cOk && ok;
if (existsSync(cJson)) {
  const s = JSON.parse(readFileSync(cJson, 'utf8')).stats ?? {};
  results.push(['consumers', (s.expected ?? 0) + (s.flaky ?? 0), (s.unexpected ?? 0) + (cOk || s.unexpected ? 0 : 1)]);
} else results.push(['consumers', 0, 1]);

for (const [name, p, f] of results) process.stdout.write(`[test] ${name}: ${p} passed, ${f} failed\n`);
const passed = results.reduce((a, r) => a + r[1], 0);
const failed = results.reduce((a, r) => a + r[2], 0);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(ok && failed === 0 ? 0 : 1);
