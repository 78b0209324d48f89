// `npm run gguf-pager -- <args>` in the repository: runs the packaged CLI (dist/cli.js),
// rebuilding first only when a source is newer than the last build (dist/.stamp).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.stamp';
const CORE = 'build/core.wasm';

/** The newest modification time under the given files and folders (0 when none exist). */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) t = Math.max(t, newest(readdirSync(p).map((f) => join(p, f))));
    else t = Math.max(t, s.mtimeMs);
  }
  return t;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (newest(['assembly', 'asconfig.json']) > mtime(CORE)) run('npm', ['run', '-s', 'build:wasm']);
if (newest(['src', 'build/core.wasm', 'build/core.relaxed.wasm', 'scripts/build-lib.js', 'package.json', 'tsconfig.build.json']) > mtime(STAMP)) {
  process.stderr.write('[gguf-pager] sources changed: building dist/ first\n');
  run('node', ['scripts/build-lib.js']);
}
await import('../dist/cli.js');
