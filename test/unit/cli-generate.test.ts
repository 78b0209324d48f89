/** The built `gguf-pager generate` command, run as a process on stories260K. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixturePath } from '../cases/fixtures-dir.ts';
import { reference, STORIES } from '../cases/gen-models.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');
const MODEL = fixturePath('models/stories260K.gguf');
const ref = reference(STORIES);
let dir = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CLI, 'generate', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  spawnSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  dir = mkdtempSync(join(tmpdir(), 'gguf-pager-generate-'));
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("streams llama.cpp's greedy continuation of the prompt", () => {
  const r = cli(MODEL, '--prompt', ref.prompt, '--max-tokens', '32');
  expect(r.code).toBe(0);
  expect(r.stdout.startsWith(ref.greedyText)).toBe(true);
  expect(r.stdout).toMatch(/\[maxTokens\] 5 prompt tokens/);
});

it("prints one JSON object with --json, under a 25 % budget and f32 KV, and writes every position's logits", () => {
  const out = join(dir, 'logits.json');
  const r = cli(MODEL, '--prompt', ref.prompt, '--max-tokens', '32', '--budget', '25%', '--kv', 'f32', '--json', '--logits', out);
  expect(r.stderr).toBe('');
  const j = JSON.parse(r.stdout);
  expect(j.tokens).toEqual(ref.greedyIds);
  expect(j.text).toBe(ref.greedyText);
  expect(j).toMatchObject({ promptTokens: 5, stopReason: 'maxTokens' });
  expect(j.maxResidentBytes).toBeLessThanOrEqual(1_185_376 / 4);
  expect(j.bytesLoaded).toBeGreaterThan(0);
  const logits = JSON.parse(readFileSync(out, 'utf8'));
  expect(logits.promptIds).toEqual(ref.promptIds);
  expect(logits.logits.map((l: { position: number }) => l.position)).toEqual([...Array(36).keys()]);
});

it('refuses a bad --kv with INVALID_ARGUMENT and its usage', () => {
  const r = cli(MODEL, '--prompt', 'x', '--kv', 'q8');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^INVALID_ARGUMENT: generate: --kv must be f16 or f32/);
});

it("runs the newer families: phi3 and gemma3 give llama.cpp's greedy ids under a 25 % budget", async () => {
  const { familyReference } = await import('../cases/family-vectors.ts');
  const { modelBytes } = await import('../cases/gen-models.ts');
  const { writeFileSync } = await import('node:fs');
  for (const name of ['phi3-F32-kvf32', 'gemma3-F32-kvf32']) {
    const fam = familyReference(name);
    const file = join(dir, `${name}.gguf`);
    writeFileSync(file, await modelBytes(fam));
    const r = cli(file, '--prompt', fam.prompt, '--max-tokens', '32', '--budget', '25%', '--kv', 'f32', '--context', '256', '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).tokens).toEqual(fam.greedyIds);
  }
}, 60_000);

it("computes on --threads N worker_threads with llama.cpp's ids, and --json says how many threads computed", () => {
  const one = JSON.parse(cli(MODEL, '--prompt', ref.prompt, '--max-tokens', '16', '--threads', '1', '--json').stdout);
  const r = cli(MODEL, '--prompt', ref.prompt, '--max-tokens', '16', '--threads', '3', '--json');
  expect(r.stderr).toBe('');
  const j = JSON.parse(r.stdout);
  expect(one.threads).toBe(1);
  expect(j.threads).toBe(3);
  expect(j.tokens).toEqual(one.tokens);
  expect(j.tokens).toEqual(ref.greedyIds.slice(0, 16));
  expect(cli(MODEL, '--prompt', 'x', '--threads', 'many').stderr).toMatch(/--threads must be/);
});
