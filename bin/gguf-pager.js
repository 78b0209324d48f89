#!/usr/bin/env node
// The published CLI: runs the compiled TypeScript (npm run build:node).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('gguf-pager: not built yet; run `npm run build:node` in the package folder\n');
  process.exit(2);
}
await import(main);
