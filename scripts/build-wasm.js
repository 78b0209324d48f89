#!/usr/bin/env node
// `npm run build:wasm`: the six builds of the core (asconfig.json: the four production builds; asconfig.testing.json:
// the test/bench builds), as many at once as the machine has cores. Each is one `asc --config … --target …`; the
// first failure is printed and fails the script.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const BUILDS = [
  ['asconfig.json', 'release'],
  ['asconfig.json', 'relaxed'],
  ['asconfig.json', 'shared'],
  ['asconfig.json', 'shared-relaxed'],
  ['asconfig.testing.json', 'testing'],
  ['asconfig.testing.json', 'testing-relaxed'],
];

function build([config, target]) {
  return new Promise((resolve, reject) => {
    const p = spawn('node_modules/.bin/asc', ['--config', config, '--target', target], { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`asc --config ${config} --target ${target} exited with ${code}`))));
  });
}

const queue = [...BUILDS];
const worker = async () => {
  for (let b = queue.shift(); b; b = queue.shift()) await build(b);
};
try {
  await Promise.all(Array.from({ length: Math.min(availableParallelism(), BUILDS.length) }, worker));
} catch (e) {
  process.stderr.write(`[build:wasm] ${e.message}\n`);
  process.exit(1);
}
