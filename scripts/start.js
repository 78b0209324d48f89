// `npm start`: builds the Wasm core and the Node-side code, makes the default
// model on first start, then serves the demo page and prints its URL.
import { spawnSync } from 'node:child_process';

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
process.stdout.write(`\n  gguf-pager demo: ${url}\n  (Ctrl+C to stop)\n\n`);
