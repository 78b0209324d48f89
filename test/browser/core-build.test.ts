/**
 * Which core build a page and the runtime's worker load in Chromium (which runs
 * Relaxed SIMD): the relaxed build when it is there, else the plain one, and
 * the options that host the files elsewhere.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compileCore, loadedCoreBuild, setCoreLocation } from '../../src/core/wasm.ts';
import { relaxedSimdSupported } from '../../src/core/core-build.ts';
import { createRuntime } from '../../src/index.ts';

const PLAIN = new URL('../../src/core/core.wasm', import.meta.url).href;
const MiB = 2 ** 20;
const blobUrls: string[] = [];

function blobOf(bytes: BufferSource | string): string {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
  blobUrls.push(url);
  return url;
}
async function plainBytes(): Promise<ArrayBuffer> {
  return (await fetch(PLAIN)).arrayBuffer();
}

afterEach(() => {
  setCoreLocation({});
  for (const u of blobUrls.splice(0)) URL.revokeObjectURL(u);
});

describe('the core build in a page', () => {
  it('finds that Chromium runs Relaxed SIMD', () => {
    expect(relaxedSimdSupported()).toBe(true);
  });

  it('loads the relaxed build from beside the module, or says why it fell back to core.wasm', async () => {
    setCoreLocation({});
    await compileCore();
    const got = loadedCoreBuild();
    expect(got).not.toBeNull();
    if (got!.build === 'relaxed') expect(got!.url).toMatch(/core\.relaxed\.wasm$/);
    else expect(got!.fallback, 'a plain build in Chromium must say why the relaxed one was not used').toMatch(/core\.relaxed\.wasm/);
  });

  it('picks the relaxed build where it is given', async () => {
    const relaxed = blobOf(await plainBytes());
    setCoreLocation({ wasmUrl: PLAIN, relaxedWasmUrl: relaxed });
    await compileCore();
    expect(loadedCoreBuild()).toEqual({ build: 'relaxed', url: relaxed });
  });

  it('falls back to the plain build when the relaxed one answers 404', async () => {
    setCoreLocation({ wasmUrl: PLAIN, relaxedWasmUrl: '/no/such/core.relaxed.wasm' });
    await compileCore();
    const got = loadedCoreBuild()!;
    expect([got.build, got.url]).toEqual(['simd', PLAIN]);
    expect(got.fallback).toMatch(/HTTP 404/);
  });

  it('falls back to the plain build when the relaxed one does not compile', async () => {
    setCoreLocation({ wasmUrl: PLAIN, relaxedWasmUrl: blobOf('not a wasm module') });
    await compileCore();
    const got = loadedCoreBuild()!;
    expect(got.build).toBe('simd');
    expect(got.fallback).toMatch(/does not compile/);
  });

  it('loads only the given wasmUrl when no relaxed URL is given with it', async () => {
    const plain = blobOf(await plainBytes());
    setCoreLocation({ wasmUrl: plain });
    await compileCore();
    expect(loadedCoreBuild()).toEqual({ build: 'simd', url: plain });
  });
});

describe("the core build in the runtime's worker", () => {
  it('reports the build the worker runs', async () => {
    const rt = await createRuntime({ budget: 4 * MiB });
    try {
      expect(['relaxed', 'simd']).toContain(rt.coreBuild);
    } finally {
      await rt.dispose();
    }
  });

  it('runs the plain build when relaxedWasmUrl is null, and the relaxed one from a given URL', async () => {
    const plain = await createRuntime({ budget: 4 * MiB, relaxedWasmUrl: null });
    const relaxed = await createRuntime({ budget: 4 * MiB, wasmUrl: PLAIN, relaxedWasmUrl: blobOf(await plainBytes()) });
    try {
      expect(plain.coreBuild).toBe('simd');
      expect(relaxed.coreBuild).toBe('relaxed');
    } finally {
      await plain.dispose();
      await relaxed.dispose();
    }
  });

  it('starts the stock worker from workerUrl', async () => {
    const rt = await createRuntime({ budget: 4 * MiB, workerUrl: new URL('../../src/runtime/worker.ts', import.meta.url) });
    try {
      expect((await rt.stats()).budget).toBe(4 * MiB);
    } finally {
      await rt.dispose();
    }
  });

  it('fails to start with WORKER_START, not a hang, when workerUrl names no script', async () => {
    const e = await createRuntime({ budget: 4 * MiB, workerUrl: '/no/such/worker.js' }).then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as { code?: string }).code).toBe('WORKER_START');
    expect(String((e as Error).message)).toMatch(/\/no\/such\/worker\.js/);
  });

  it('fails to start with WASM_LOAD when wasmUrl names no core', async () => {
    const e = await createRuntime({ budget: 4 * MiB, wasmUrl: '/no/such/core.wasm' }).then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as { code?: string }).code).toBe('WASM_LOAD');
    expect(String((e as Error).message)).toMatch(/no\/such\/core\.wasm/);
  });
});
