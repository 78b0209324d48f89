import type { TestProject } from 'vitest/node';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRangeServer } from '../servers/range-server.ts';
import { startNginx } from '../servers/nginx.ts';
import { patternBytes } from '../servers/pattern.ts';
import { writeTestModels, type ServedModels } from '../servers/models.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';

/** The pattern file written to disk for nginx and Vite (bytes = patternBytes(0, size, seed)). */
const DISK_FILE = { name: 'pattern-1m.bin', size: (1 << 20) + 123, seed: 42 };
/** Inside the repo (Vite's `/@fs/` serves only the workspace), ignored by git. */
const VITE_DIR = resolve('node_modules/.cache/gguf-pager-http');

declare module 'vitest' {
  interface ProvidedContext {
    /** The tests' own range server (test/servers/range-server.ts), cross-origin: `http://127.0.0.1:<port>`. */
    rangeBase: string;
    /** nginx serving `diskFile.name`, cross-origin; '' when nginx could not start (see `nginxError`). */
    nginxBase: string;
    nginxError: string;
    /** The pattern file: `<nginxBase>/<name>`, and `<vitePath>` on the page's own Vite server. */
    diskFile: { name: string; size: number; seed: number; vitePath: string };
    /** GGUF models served by the range server at `<rangeBase>/<name>` (test/servers/models.ts). */
    models: ServedModels;
    /** The shared vocab fixtures (`ggml-vocab-*.gguf` and their .inp/.out), cross-origin: `<vocabBase>/<file>`. */
    vocabBase: string;
  }
}

/**
 * Starts the servers the browser tests need and passes their URLs with
 * `project.provide`; tests read them with `inject(...)`.
 */
export default async function setup(project: TestProject) {
  const teardowns: Array<() => Promise<void>> = [];
  const bytes = patternBytes(0, DISK_FILE.size, DISK_FILE.seed);
  const dir = await mkdtemp(join(tmpdir(), 'gguf-pager-http-'));
  teardowns.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, DISK_FILE.name), bytes);
  await mkdir(VITE_DIR, { recursive: true });
  await writeFile(join(VITE_DIR, DISK_FILE.name), bytes);
  project.provide('diskFile', { ...DISK_FILE, vitePath: `/@fs${join(VITE_DIR, DISK_FILE.name)}` });

  project.provide('models', await writeTestModels(dir));
  const range = await startRangeServer({ root: dir });
  teardowns.push(range.stop);
  project.provide('rangeBase', range.url);

  const vocab = await startRangeServer({ root: fixturePath('vocab') });
  teardowns.push(vocab.stop);
  project.provide('vocabBase', vocab.url);

  try {
    const nginx = await startNginx(dir);
    teardowns.push(nginx.stop);
    project.provide('nginxBase', nginx.url);
    project.provide('nginxError', '');
  } catch (e) {
    project.provide('nginxBase', '');
    project.provide('nginxError', String((e as Error).message ?? e));
  }

  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
