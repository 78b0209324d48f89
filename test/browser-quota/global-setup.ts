/**
 * The servers of the `browser-quota` project: its tests set a real storage
 * quota on their origin (CDP `Storage.overrideQuotaForOrigin`), so they run in
 * a project of their own (its own Vite server, so its own origin): the other
 * browser tests' downloads cannot eat their room, and their quota cannot fail
 * the other tests' writes. Only the small model is served.
 */
import type { TestProject } from 'vitest/node';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRangeServer } from '../servers/range-server.ts';
import { servedModel } from '../servers/model-list.ts';

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'gguf-pager-quota-'));
  const fd = openSync(join(dir, 'small.gguf'), 'w');
  try {
    for (const chunk of servedModel('small.gguf').chunks(4 << 20)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  const range = await startRangeServer({ root: dir });
  project.provide('rangeBase', range.url);
  return async () => {
    await range.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
