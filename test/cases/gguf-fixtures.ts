/** The shared GGUF fixtures (read in place, never copied). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BytesSource } from './gguf-bytes-source.ts';

export const FIXTURE_DIRS = ['/work/shared/fixtures/models', '/work/shared/fixtures/vocab'];

export const FIXTURES: string[] = FIXTURE_DIRS.flatMap((d) =>
  readdirSync(d).filter((f) => f.endsWith('.gguf')).sort().map((f) => join(d, f)));

export const STORIES = '/work/shared/fixtures/models/stories260K.gguf';
export const TINY_LLAMA = '/work/shared/fixtures/models/llama-2-tiny-random.gguf';

export function fixtureSource(path: string): BytesSource {
  return new BytesSource(new Uint8Array(readFileSync(path)), path);
}
