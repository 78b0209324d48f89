/**
 * One definition of the core's exports: CoreExports (src/core/exports.ts) is written by hand, and this keeps it
 * equal to what each production build exports, so a new export without a type, or a typed member without an
 * export, fails here instead of at a call. The status globals are mirrored in src/core/status.ts and checked
 * when a core is instantiated. The test/bench build (build/core.testing*.wasm) adds exactly the test-only
 * kernels of TestingCoreExports, and the production builds have none of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CoreExports } from '../../src/core/exports.ts';
import { Status } from '../../src/core/status.ts';
import { testingCoreBuild } from '../cases/core-builds.ts';
import { createTestingCore, missingTestingExports, TESTING_ONLY_EXPORTS } from '../cases/testing-core.ts';

/** Every member of CoreExports, once: `satisfies` refuses a name that is no member, the check below a member left out. */
const CORE_EXPORT_NAMES = [
  'memory',
  'BLOCK_ALIGN',
  'init',
  'initPages',
  'attach',
  'arenaBasePtr',
  'arenaAlloc',
  'arenaFree',
  'arenaPin',
  'arenaUnpin',
  'arenaPtr',
  'arenaSize',
  'arenaPins',
  'arenaCompact',
  'arenaStats',
  'arenaCheck',
  'kvAlloc',
  'kvFree',
  'kvPagePtr',
  'kvTotalPages',
  'kvFreePages',
  'kvPageElems',
  'kvElemBytes',
  'kvPoolCheck',
  'kvSeqCreate',
  'kvSeqAppend',
  'kvSeqLength',
  'kvSeqPageCount',
  'kvSeqKvDim',
  'kvSeqFirstPage',
  'kvNextPage',
  'kvSeqFree',
  'kvScratchPtr',
  'kvTokensPerPage',
  'kvSeqCheck',
  'kvSeqDropFirst',
  'kRmsNorm',
  'kRope',
  'kRopeExt',
  'kSoftmax',
  'kSilu',
  'kSwiglu',
  'kAdd',
  'kMul',
  'kScale',
  'kAddBias',
  'kAttention',
  'kAttentionHeads',
  'kAttentionExt',
  'kAttentionExtHeads',
  'kAttentionScratchBytes',
  'kGeglu',
  'kGelu',
  'kLayerNorm',
  'kSoftcap',
  'kSupports',
  'kRowBytes',
  'kWorkBytes',
  'kMatvec',
  'kMatmul',
  'kMatmulPrepare',
  'kMatmulRows',
  'kGetRows',
  'kDequant',
] as const satisfies readonly (keyof CoreExports)[];
type Unlisted = Exclude<keyof CoreExports, (typeof CORE_EXPORT_NAMES)[number]>;
const everyMemberListed: [Unlisted] extends [never] ? true : Unlisted = true;

const PRODUCTION_BUILDS = ['core.wasm', 'core.relaxed.wasm', 'core.shared.wasm', 'core.shared-relaxed.wasm'];
const TESTING_BUILDS = ['core.testing.wasm', 'core.testing-relaxed.wasm'];

/** The export names of build/<file>, status globals aside. */
function exportsOf(file: string): string[] {
  const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
  return WebAssembly.Module.exports(module)
    .map((e) => e.name)
    .filter((n) => !(n in Status))
    .sort();
}

/** What a build must export (the shared builds re-export the memory they import). */
function expected(extra: readonly string[] = []): string[] {
  return [...CORE_EXPORT_NAMES, ...extra].sort();
}

describe('CoreExports and the production builds', () => {
  it('lists each member of CoreExports once (the list is checked against the type at compile time)', () => {
    expect(everyMemberListed).toBe(true);
    expect(new Set(CORE_EXPORT_NAMES).size).toBe(CORE_EXPORT_NAMES.length);
  });

  for (const file of PRODUCTION_BUILDS) {
    it(`build/${file} exports exactly CoreExports, none of the test-only kernels`, () => {
      const actual = exportsOf(file);
      expect(actual).toEqual(expected());
      expect(actual.filter((n) => (TESTING_ONLY_EXPORTS as readonly string[]).includes(n))).toEqual([]);
    });
  }
});

describe('the test/bench build', () => {
  for (const file of TESTING_BUILDS) {
    it(`build/${file} exports CoreExports plus exactly the test-only kernels of TestingCoreExports`, () => {
      expect(exportsOf(file)).toEqual(expected(TESTING_ONLY_EXPORTS));
    });
  }

  it('createTestingCore refuses a production build and takes the testing build', async () => {
    const production = new WebAssembly.Module(readFileSync(new URL('../../build/core.wasm', import.meta.url)));
    await expect(createTestingCore({ arenaBytes: 64 * 1024, module: production })).rejects.toThrow(/not the test\/bench build.*kMatvecScalar/);
    const core = await createTestingCore({ arenaBytes: 64 * 1024, module: await testingCoreBuild('simd') });
    expect(missingTestingExports(core.exports)).toEqual([]);
    expect(core.exports.f16ToF32(0x3c00)).toBe(1);
  });

  it('is named nowhere under src/ (production code cannot load it)', () => {
    const root = new URL('../../src/', import.meta.url);
    const hits = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(ts|js)$/.test(f))
      .filter((f) => /core\.testing|from '[^']*\/test\//.test(readFileSync(new URL(f, root), 'utf8')));
    expect(hits).toEqual([]);
  });
});
