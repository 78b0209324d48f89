/**
 * Packs the repository as npm publishes it (`npm pack` runs `prepack`, which
 * builds) into a temporary folder, copies the fixture apps beside the tarball
 * and installs it there with `npm install <tarball>` (registry only for its
 * dependencies and webpack, the npm cache keeps it fast). The folder is passed to the tests
 * as $GGUF_PAGER_CONSUMERS and removed at the end.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APPS = ['vite-app', 'vite-public-app', 'esm-page', 'webpack-app'];
/** webpack comes from the registry (the npm cache keeps it fast); Vite is the repository's own. */
const WEBPACK = 'webpack@5';

export interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  files: string[];
}

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-pager-consumers-'));
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const out = npm(['pack', '--json', '--pack-destination', dir], ROOT);
  const packed = JSON.parse(out.slice(out.search(/^\[/m)))[0] as { filename: string; size: number; unpackedSize: number; files: Array<{ path: string }> };
  const info: PackInfo = { filename: packed.filename, size: packed.size, unpackedSize: packed.unpackedSize, files: packed.files.map((f) => f.path) };
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(info));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumers', private: true, type: 'module' }));
  for (const app of APPS) cpSync(join(ROOT, 'test/consumers', app), join(dir, app), { recursive: true });
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `./${info.filename}`, WEBPACK], dir);
  process.env.GGUF_PAGER_CONSUMERS = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
