// `npm start`: builds the Wasm core and the Node-side code, makes the big
// synthetic model on first start, then serves the demo page and prints its URL.
// The page opens on stories260K (real text) when ../shared/fixtures is beside
// the clone (served by scripts/models-plugin.ts), else on the synthetic model.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npm', ['run', '-s', 'build:wasm']);
run('npm', ['run', '-s', 'build:node']);
const { makeDefaultModel } = await import('./make-default-model.js');
await makeDefaultModel();

const { createServer } = await import('vite');
const port = Number(process.env.PORT ?? 5173);
const server = await createServer({ server: { port, host: process.env.HOST ?? '127.0.0.1' } });
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
// The folder scripts/models-plugin.ts serves as /fixtures.
const opensOn = existsSync(new URL('../../shared/fixtures/models/stories260K.gguf', import.meta.url))
  ? 'opens on stories260K (a tiny trained llama) with half of it as the budget; the big synthetic model is one click away'
  : 'opens on the 96 MiB synthetic model (random weights); put the shared fixtures beside the clone for stories260K';
process.stdout.write(`\n  gguf-pager demo: ${url}\n  ${opensOn}\n  (Ctrl+C to stop)\n\n`);
