/**
 * The built `gguf-pager tokenize`, `detokenize` and `chat-template` commands,
 * run as processes on the shared fixtures (a file, and a URL through the test
 * range server), compiled from tsconfig.node.json into a private directory.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRangeServer, type RangeServer } from '../servers/range-server.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const STORIES = fixturePath('models/stories260K.gguf');
const PHI3 = fixturePath('vocab/ggml-vocab-phi-3.gguf');
let dir = '';
let cliPath = '';
let server: RangeServer;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-text-'));
  spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.node.json', '--outDir', join(dir, 'dist')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  writeFileSync(join(dir, 'dist/package.json'), '{ "type": "module" }\n');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules')); // @huggingface/jinja, as an installed package finds it
  cliPath = join(dir, 'dist/src/cli/main.js');
  expect(existsSync(cliPath)).toBe(true);
  server = await startRangeServer({ root: fixturePath('models') });
}, 150_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gguf-pager tokenize', () => {
  it('prints the ids with BOS, from a file and from a URL', async () => {
    expect(await cli('tokenize', STORIES, 'Once upon a time')).toEqual({ code: 0, stdout: '1 403 407 261 378\n', stderr: '' });
    expect((await cli('tokenize', `${server.url}/stories260K.gguf`, 'Once upon a time')).stdout).toBe('1 403 407 261 378\n');
    expect((await cli('tokenize', STORIES, 'Once upon a time', '--no-special')).stdout).toBe('403 407 261 378\n');
  });

  it('--json prints { ids, pieces }; --parse-special reads control tokens in the text', async () => {
    const run = await cli('tokenize', PHI3, '<|user|>Hi', '--json', '--parse-special');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ids: [1, 32010, 6324], pieces: ['<s>', '<|user|>', ' Hi'] });
  });
});

describe('gguf-pager detokenize', () => {
  it('prints the text of ids given as arguments or comma-separated', async () => {
    expect(await cli('detokenize', STORIES, '403', '407,261', '378')).toEqual({ code: 0, stdout: 'Once upon a time\n', stderr: '' });
    expect((await cli('detokenize', PHI3, '1', '32010', '6324', '--render-special')).stdout).toBe('<s><|user|> Hi\n');
  });

  it('an id outside the vocabulary or not a number is a non-zero exit with the code on stderr', async () => {
    const out = await cli('detokenize', STORIES, '99999');
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/^TOKEN_OUT_OF_RANGE: token id 99999/);
    expect((await cli('detokenize', STORIES, 'abc')).stderr).toMatch(/^INVALID_ARGUMENT: 'abc' is not a token id/);
  });
});

describe('gguf-pager chat-template', () => {
  it("renders the model's own template, or ChatML with a note when it has none", async () => {
    const msgs = join(dir, 'messages.json');
    writeFileSync(msgs, JSON.stringify([{ role: 'user', content: 'Hello' }]));
    expect(await cli('chat-template', PHI3, msgs)).toEqual({ code: 0, stdout: '<s><|user|>\nHello<|end|>\n<|assistant|>\n', stderr: '' });
    const chatml = await cli('chat-template', STORIES, msgs);
    expect(chatml.stdout).toBe('<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n');
    expect(chatml.stderr).toMatch(/^note: .* has no tokenizer.chat_template; ChatML was used/);
  });

  it('bad input is a non-zero exit with the error code on stderr', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"role": "user"}');
    const run = await cli('chat-template', STORIES, bad);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/^INVALID_ARGUMENT: messages file .* must hold an array/);
    expect((await cli('chat-template', STORIES, join(dir, 'missing.json'))).stderr).toMatch(/^INVALID_ARGUMENT: cannot read messages file/);
    expect((await cli('tokenize', join(dir, 'missing.gguf'), 'x')).stderr).toMatch(/^SOURCE_NOT_FOUND: /);
  });
});
