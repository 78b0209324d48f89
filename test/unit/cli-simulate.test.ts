/** The built `gguf-pager simulate` command, run as a process on real GGUF files. */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticLlama } from '../../src/authoring/synthetic.ts';
import { startRangeServer } from '../servers/range-server.ts';
import { fixturePath } from '../cases/fixtures-dir.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/src/cli/main.js');
const STORIES = fixturePath('models/stories260K.gguf');
let dir = '';
let generated = '';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'simulate', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(...args: string[]) {
  const r = cli(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number> & { perToken: number[]; policy: string };
}

beforeAll(async () => {
  spawnSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(existsSync(CLI)).toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'cli-simulate-'));
  generated = join(dir, 'gen.gguf');
  const model = syntheticLlama({ blocks: 8, embd: 64, ff: 128, vocab: 300, type: 'Q8_0', seed: 5 });
  const out = createWriteStream(generated);
  for (const chunk of model.chunks()) out.write(chunk);
  await new Promise((r) => out.end(r));
}, 150_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gguf-pager simulate --json', () => {
  for (const [label, file] of [
    ['stories260K', STORIES],
    ['a generated 8-block llama', ''],
  ] as const) {
    it(`${label}: resident bytes stay within the budget and the counts add up`, () => {
      const r = json(file || generated, '--budget', '50%', '--tokens', '6');
      expect(r.budgetBytes).toBe(Math.floor(r.modelBytes / 2));
      expect(r.maxResidentBytes).toBeLessThanOrEqual(r.budgetBytes);
      expect(r.maxResidentBytes).toBeGreaterThan(r.budgetBytes / 2);
      expect(r.perToken.length).toBe(6);
      expect(r.bytesLoaded).toBe(r.perToken.reduce((a, b) => a + b, 0));
      expect(r.bytesLoadedFirstToken).toBe(r.modelBytes);
      expect(r.steadyBytesPerToken).toBeCloseTo(r.perToken.slice(1).reduce((a, b) => a + b, 0) / 5, 6);
      expect(r.hitRate).toBeGreaterThan(0);
      expect(r.hitRate).toBeLessThan(1);
    });

    it(`${label}: at 100 % nothing is loaded after the first token`, () => {
      const r = json(file || generated, '--budget', '100%');
      expect(r.steadyBytesPerToken).toBe(0);
      expect(r.evictions).toBe(0);
      expect(r.bytesLoaded).toBe(r.modelBytes);
    });

    it(`${label}: auto loads no more than lru at 50 %`, () => {
      const auto = json(file || generated, '--budget', '50%', '--pins', 'none');
      const lru = json(file || generated, '--budget', '50%', '--pins', 'none', '--policy', 'lru');
      expect(auto.policy).toBe('auto');
      expect(lru.policy).toBe('lru');
      expect(auto.steadyBytesPerToken).toBeLessThan(lru.steadyBytesPerToken);
      expect(lru.steadyBytesPerToken).toBe(lru.modelBytes);
    });
  }

  it('takes a budget in bytes with a unit, and counts prefetched bytes within the budget', () => {
    const r = json(generated, '--budget', '400KiB', '--prefetch', '1', '--pins', 'none');
    expect(r.budgetBytes).toBe(400 * 1024);
    expect(r.maxResidentBytes).toBeLessThanOrEqual(r.budgetBytes);
  });
});

describe('gguf-pager simulate errors and table', () => {
  it('a budget below the largest tensor exits non-zero with the error code line', () => {
    const r = cli(STORIES, '--budget', '100000', '--pins', 'none', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^PAGER_TENSOR_TOO_LARGE: tensor token_embd.weight/);
  });

  it('a budget below the pins exits non-zero with PAGER_PINS_OVER_BUDGET', () => {
    const r = cli(STORIES, '--budget', '10000', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^PAGER_PINS_OVER_BUDGET: .*stories260K/);
  });

  it('a bad option is INVALID_ARGUMENT with the usage', () => {
    const r = cli(STORIES, '--budget', 'lots', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^INVALID_ARGUMENT: .*lots[\s\S]*usage: gguf-pager simulate/);
  });

  it('refuses a token count it would have to keep without bound', () => {
    const r = cli(STORIES, '--budget', '50%', '--tokens', '1e12', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^INVALID_ARGUMENT: simulate: --tokens must be an integer in 1\.\.100000/);
  });

  it('without --json answers how much memory the model needs, for 25/50/75/100 %', () => {
    const r = cli(generated);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/needs\s+[\d.]+ MiB to run at all/);
    for (const pct of ['25%', '50%', '75%', '100%']) expect(r.stdout).toMatch(new RegExp(`^\\s+${pct}\\s`, 'm'));
    expect(r.stdout).toMatch(/^\s+100%.*\s0\.00\s+\d/m);
  });
});

describe('gguf-pager simulate over HTTP', () => {
  it('reads a model by URL through Range requests and finds what it finds on disk', async () => {
    const server = await startRangeServer({ root: fixturePath('models') });
    try {
      // Reads the JSON line, then ends the child: HttpRangeSource currently keeps a
      // Node process alive after concurrent reads and close() (reported to its owner).
      const child = spawn(process.execPath, [CLI, 'simulate', `${server.url}/stories260K.gguf`, '--budget', '50%', '--tokens', '4', '--json']);
      let out = '';
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      await new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`no JSON within 30 s; stderr: ${err}`)), 30_000);
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) {
            clearTimeout(timer);
            ok();
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          if (!out.includes('\n')) fail(new Error(`exit ${code}: ${err}`));
        });
      });
      child.kill();
      const overHttp = JSON.parse(out);
      const onDisk = json(STORIES, '--budget', '50%', '--tokens', '4');
      expect(overHttp.perToken).toEqual(onDisk.perToken);
      expect(overHttp.maxResidentBytes).toBeLessThanOrEqual(overHttp.budgetBytes);
    } finally {
      await server.stop();
    }
  });
});
