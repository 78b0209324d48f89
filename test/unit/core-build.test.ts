/**
 * Which core build loads in Node: src/core/wasm.ts is bundled into a temporary
 * folder beside copies of the builds, then imported by a child Node with and
 * without --experimental-wasm-relaxed-simd (Node 20 runs Relaxed SIMD only with it).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rolldown } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreCandidates, RELAXED_SIMD_PROBE } from '../../src/core/core-build.ts';

const CORE = new URL('../../build/core.wasm', import.meta.url);
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const nodeMajor = Number(process.versions.node.split('.')[0]);
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'core-build-'));
  const build = await rolldown({ input: new URL('../../src/core/wasm.ts', import.meta.url).pathname, platform: 'node', logLevel: 'silent' });
  await build.write({ dir, format: 'es', entryFileNames: 'wasm.js' });
  await build.close();
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The build a fresh Node picks from the files in `dir` (relaxed: 'copy' of core.wasm, 'garbage', or 'missing'). */
function pick(relaxed: 'copy' | 'garbage' | 'missing', flags: string[]): { build: string; url: string; fallback?: string } {
  copyFileSync(CORE, join(dir, 'core.wasm'));
  rmSync(join(dir, 'core.relaxed.wasm'), { force: true });
  if (relaxed === 'copy') copyFileSync(CORE, join(dir, 'core.relaxed.wasm'));
  if (relaxed === 'garbage') writeFileSync(join(dir, 'core.relaxed.wasm'), 'not a wasm module');
  const script = "const m = await import('./wasm.js'); await m.compileCore(); process.stdout.write(JSON.stringify(m.loadedCoreBuild()));";
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  return JSON.parse(out);
}

function validates(flags: string[]): boolean {
  const script = `process.stdout.write(String(WebAssembly.validate(new Uint8Array(${JSON.stringify([...RELAXED_SIMD_PROBE])}))))`;
  return execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 20_000 }) === 'true';
}

describe('the relaxed SIMD probe', () => {
  it('validates where the engine runs Relaxed SIMD and not where it does not', () => {
    expect(validates([RELAXED_FLAG])).toBe(true);
    if (nodeMajor === 20) expect(validates([])).toBe(false);
  });
  it('is rejected once its relaxed opcode is cut off', () => {
    const broken = RELAXED_SIMD_PROBE.slice();
    broken[broken.length - 3] = 0xff; // no such SIMD opcode
    expect(WebAssembly.validate(broken)).toBe(false);
  });
});

describe('the build order', () => {
  const plain = new URL('https://h/core.wasm');
  const relaxed = new URL('https://h/core.relaxed.wasm');
  it('tries the relaxed build first where it runs, then the plain one', () => {
    expect(coreCandidates(plain, relaxed, true).map((c) => c.build)).toEqual(['relaxed', 'simd']);
  });
  it('tries only the plain build where relaxed SIMD does not run or no relaxed file is known', () => {
    expect(coreCandidates(plain, relaxed, false).map((c) => c.build)).toEqual(['simd']);
    expect(coreCandidates(plain, null, true).map((c) => c.build)).toEqual(['simd']);
  });
});

describe('loading in Node, from the files beside the module', () => {
  it('loads core.relaxed.wasm when Node runs Relaxed SIMD', () => {
    const got = pick('copy', [RELAXED_FLAG]);
    expect(got.build).toBe('relaxed');
    expect(got.url).toMatch(/\/core\.relaxed\.wasm$/);
    expect(got.fallback).toBeUndefined();
  });
  it.runIf(nodeMajor === 20)('loads core.wasm on Node 20 without the flag, though the relaxed file is there', () => {
    const got = pick('copy', []);
    expect(got.build).toBe('simd');
    expect(got.url).toMatch(/\/core\.wasm$/);
  });
  it('falls back to core.wasm when the relaxed build is missing, and says why', () => {
    const got = pick('missing', [RELAXED_FLAG]);
    expect(got.build).toBe('simd');
    expect(got.fallback).toMatch(/core\.relaxed\.wasm not found/);
  });
  it('falls back to core.wasm when the relaxed build does not compile, and says why', () => {
    const got = pick('garbage', [RELAXED_FLAG]);
    expect(got.build).toBe('simd');
    expect(got.fallback).toMatch(/does not compile/);
  });
});
