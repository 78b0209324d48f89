/** The shared GGUF fixtures (read in place, never copied). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BytesSource } from './gguf-bytes-source.ts';
import { fixturePath } from './fixtures-dir.ts';

export const FIXTURE_DIRS = [fixturePath('models'), fixturePath('vocab')];

export const FIXTURES: string[] = FIXTURE_DIRS.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.gguf'))
    .sort()
    .map((f) => join(d, f)),
);

export const STORIES = fixturePath('models/stories260K.gguf');
export const TINY_LLAMA = fixturePath('models/llama-2-tiny-random.gguf');

export function fixtureSource(path: string): BytesSource {
  return new BytesSource(new Uint8Array(readFileSync(path)), path);
}
