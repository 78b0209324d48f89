/** The built CLI's constrained generate, chat (OpenAI JSON out, tools) and embed commands, run as processes on stories260K. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixturePath, REPO_ROOT } from '../cases/fixtures-dir.ts';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const MODEL = fixturePath('models/stories260K.gguf');
let dir = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  spawnSync('npm', ['run', '-s', 'build:node'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
  dir = mkdtempSync(join(tmpdir(), 'gguf-pager-openai-cli-'));
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('generate --json-schema and --grammar constrain the text', () => {
  const schema = join(dir, 'schema.json');
  writeFileSync(
    schema,
    JSON.stringify({ type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 9 } }, required: ['n'], additionalProperties: false }),
  );
  const r = cli(
    'generate',
    MODEL,
    '--prompt',
    'Once upon a time',
    '--json-schema',
    schema,
    '--temperature',
    '1',
    '--seed',
    '3',
    '--max-tokens',
    '40',
    '--json',
  );
  expect(r.stderr).toBe('');
  const j = JSON.parse(r.stdout) as { text: string; stopReason: string };
  expect(j.stopReason).toBe('stop');
  const v = JSON.parse(j.text) as { n: number };
  expect(Number.isInteger(v.n) && v.n >= 1 && v.n <= 9).toBe(true);
  const g = join(dir, 'yes.gbnf');
  writeFileSync(g, 'root ::= "yes" | "no"\n');
  const y = cli('generate', MODEL, '--prompt', 'Once upon a time', '--grammar', g, '--temperature', '1', '--json');
  expect(['yes', 'no']).toContain((JSON.parse(y.stdout) as { text: string }).text);
  const both = cli('generate', MODEL, '--prompt', 'x', '--grammar', g, '--json-schema', schema);
  expect(both.code).toBe(1);
  expect(both.stderr).toMatch(/INVALID_ARGUMENT: generate: --grammar and --json-schema exclude each other/);
});

it('chat --tools --tool-choice required prints an OpenAI chat.completion with a tool call', () => {
  const tools = join(dir, 'tools.json');
  writeFileSync(
    tools,
    JSON.stringify([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 10 } }, required: ['city'], additionalProperties: false },
        },
      },
    ]),
  );
  const r = cli('chat', MODEL, '--prompt', 'Weather in Paris?', '--tools', tools, '--tool-choice', 'required', '--seed', '1', '--max-tokens', '80');
  expect(r.stderr).toBe('');
  const j = JSON.parse(r.stdout);
  expect(j).toMatchObject({
    object: 'chat.completion',
    choices: [{ finish_reason: 'tool_calls', message: { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'get_weather' } }] } }],
  });
  expect(typeof JSON.parse(j.choices[0].message.tool_calls[0].function.arguments).city).toBe('string');
});

it("embed --json prints llama.cpp's mean-pooled vectors for each --text", () => {
  const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'test/vectors/embeddings/stories260K-F32-mean.json'), 'utf8')) as {
    inputs: Array<{ text: string; embedding: number[] }>;
  };
  const r = cli('embed', MODEL, '--text', ref.inputs[0].text, '--text', ref.inputs[1].text, '--json');
  expect(r.stderr).toBe('');
  const { embeddings } = JSON.parse(r.stdout) as { embeddings: number[][] };
  expect(embeddings).toHaveLength(2);
  for (let i = 0; i < 2; i++) {
    const a = embeddings[i];
    const b = ref.inputs[i].embedding;
    let ab = 0,
      bb = 0;
    for (let j = 0; j < a.length; j++) {
      ab += a[j] * b[j];
      bb += b[j] * b[j];
    }
    expect(ab / Math.sqrt(bb)).toBeGreaterThanOrEqual(0.9999);
  }
  const bad = cli('embed', MODEL, '--pooling', 'max', '--text', 'a');
  expect(bad.stderr).toMatch(/--pooling must be mean, cls or last/);
});
