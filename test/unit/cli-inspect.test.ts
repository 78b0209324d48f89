/**
 * The built `gguf-pager inspect` command, run as a process. It is compiled from
 * tsconfig.node.json (what `npm run build:node` runs) into a private directory,
 * so other test files building dist/ at the same time cannot race with it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGguf } from '../../src/gguf/parse.ts';
import { GgufValueType as T } from '../../src/gguf/types.ts';
import { writeGguf } from '../../src/authoring/write.ts';
import { FileSource } from '../../src/sources/file.ts';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { STORIES, TINY_LLAMA } from '../cases/gguf-fixtures.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir = '';
let cliPath = '';
let server: RangeServer;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function inspect(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, 'inspect', ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-inspect-'));
  spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node.json', '--outDir', join(dir, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  writeFileSync(join(dir, 'dist/package.json'), '{ "type": "module" }\n');
  cliPath = join(dir, 'dist/src/cli/main.js');
  expect(existsSync(cliPath)).toBe(true);
  server = await startRangeServer({ root: fixturePath('models') });
}, 150_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function parsedFile(path: string) {
  const source = await FileSource.open(path);
  try {
    return await parseGguf(source);
  } finally {
    await source.close?.();
  }
}

describe('gguf-pager inspect --json', () => {
  it('prints one JSON object with the header, metadata and tensors the parser reads', async () => {
    const run = await inspect(STORIES, '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n').length).toBe(1);
    const out = JSON.parse(run.stdout);
    const model = await parsedFile(STORIES);
    expect(out).toMatchObject({ version: model.version, alignment: model.alignment, tensorDataOffset: model.tensorDataOffset, fileSize: model.fileSize });
    // JSON has no -0: the scores array's -0 comes back as 0
    expect(out.metadata).toEqual(JSON.parse(JSON.stringify(Object.fromEntries(model.metadata))));
    expect(Object.keys(out.metadata)).toEqual([...model.metadata.keys()]);
    expect(out.tensors).toEqual(model.tensors.map((t) => ({ name: t.name, type: t.typeName, dims: t.dims, offset: t.offset, size: t.size })));
  });

  it('prints metadata arrays whole: all 32000 tokens of the Llama vocabulary', async () => {
    const out = JSON.parse((await inspect(TINY_LLAMA, '--json')).stdout);
    expect(out.metadata['tokenizer.ggml.tokens']).toHaveLength(32000);
    expect(out.metadata['tokenizer.ggml.tokens']).toEqual((await parsedFile(TINY_LLAMA)).metadata.get('tokenizer.ggml.tokens'));
    expect(out.tensors[0]).toEqual({ name: 'token_embd.weight', type: 'F16', dims: [8, 32000], offset: 724416, size: 512000 });
  });

  it('writes integers beyond 2^53 and non-finite floats as strings, and __proto__ as a plain key', async () => {
    const path = join(dir, 'edge.gguf');
    writeFileSync(
      path,
      writeGguf({
        metadata: [
          ['big', 2n ** 64n - 1n, T.UINT64],
          ['neg', -(2n ** 63n), T.INT64],
          ['safe', 2 ** 53 - 1, T.UINT64],
          ['nan', NaN, T.FLOAT32],
          ['__proto__', [1n, 2n ** 60n], { array: T.UINT64 }],
        ],
      }),
    );
    const out = JSON.parse((await inspect(path, '--json')).stdout);
    expect(Object.getOwnPropertyNames(out.metadata)).toContain('__proto__');
    expect(out.metadata.big).toBe('18446744073709551615');
    expect(out.metadata.neg).toBe('-9223372036854775808');
    expect(out.metadata.safe).toBe(2 ** 53 - 1);
    expect(out.metadata.nan).toBe('NaN');
    expect(Object.getOwnPropertyDescriptor(out.metadata, '__proto__')?.value).toEqual([1, '1152921504606846976']);
  });

  it('reads the same header over HTTP Range as from the file', async () => {
    const overHttp = await inspect(`${server.url}/stories260K.gguf`, '--json');
    expect(overHttp.code).toBe(0);
    expect(JSON.parse(overHttp.stdout)).toEqual(JSON.parse((await inspect(STORIES, '--json')).stdout));
  });

  it('opens every shard of a split model from the first shard name', async () => {
    const names = [0, 1].map((i) => join(dir, `split-0000${i + 1}-of-00002.gguf`));
    names.forEach((n, i) =>
      writeFileSync(
        n,
        writeGguf({
          metadata: [
            ['split.no', i, T.UINT16],
            ['split.count', 2, T.UINT16],
            ['split.tensors.count', 2, T.INT32],
          ],
          tensors: [{ name: `t${i}`, type: 'F32', dims: [8] }],
        }),
      ),
    );
    const out = JSON.parse((await inspect(names[0], '--json')).stdout);
    expect(out.tensors.map((t: { name: string; shard: number }) => [t.name, t.shard])).toEqual([
      ['t0', 0],
      ['t1', 1],
    ]);
    expect(out.shards.map((s: { name: string }) => s.name)).toEqual(names);
  });
});

describe('gguf-pager inspect (summary)', () => {
  it('names the architecture and parameter count and groups tensors by block with sizes', async () => {
    const run = await inspect(STORIES);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^architecture\s+llama$/m);
    expect(run.stdout).toMatch(/^parameters\s+293 K \(292800\)$/m);
    for (let b = 0; b < 5; b++) expect(run.stdout).toMatch(new RegExp(`^  blk\\.${b}: 9 tensors, [\\d.]+ KiB$`, 'm'));
    expect(run.stdout).toMatch(/^\s+blk\.0\.ffn_down\.weight\s+F32\s+\[172, 64\]\s+43\.0 KiB  @ \d+$/m);
  });

  it('abbreviates long arrays', async () => {
    const run = await inspect(TINY_LLAMA);
    expect(run.stdout).toMatch(/^  tokenizer\.ggml\.tokens = \["<unk>", "<s>", "<\/s>", .*… 31994 more\] \(32000 items\)$/m);
    expect(run.stdout.length).toBeLessThan(10_000);
  });
});

describe('gguf-pager inspect on bad input', () => {
  it('fails on a garbage file with one stderr line starting with the code', async () => {
    const path = join(dir, 'garbage.gguf');
    writeFileSync(
      path,
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff),
    );
    const run = await inspect(path);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^GGUF_BAD_MAGIC: .*garbage\.gguf/)]);
  });

  it('fails on a header cut short, naming the offset', async () => {
    const path = join(dir, 'cut.gguf');
    writeFileSync(path, writeGguf({ metadata: [['general.name', 'x'.repeat(100)]] }).subarray(0, 60));
    const run = await inspect(path, '--json');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^GGUF_TRUNCATED: .*cut\.gguf: header truncated at byte \d+/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('fails on a missing file and on a URL that answers 404', async () => {
    expect((await inspect(join(dir, 'none.gguf'))).stderr).toMatch(/^SOURCE_NOT_FOUND: /);
    const run = await inspect(`${server.url}/missing.gguf`);
    expect(run.code).not.toBe(0);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^HTTP_\w+: .*missing\.gguf/);
  });
});
