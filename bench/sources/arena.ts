/**
 * The bench's landing zone for bytes: a pinned block of the real arena
 * (`createCore` from src/core/core.ts) when it loads, else a plain
 * `WebAssembly.Memory` view of the same size. `kind` says which was used.
 */
export interface BenchArena {
  view: Uint8Array;
  kind: string;
}

export async function benchArena(bytes: number): Promise<BenchArena> {
  try {
    const { createCore } = await import('../../src/core/core.ts');
    const core = await createCore({ arenaBytes: bytes + (1 << 20) });
    const h = core.arena.alloc(bytes);
    core.arena.pin(h);
    return { view: core.arena.bytes(h), kind: `createCore arena block (Wasm memory ${core.memoryBytes()} bytes)` };
  } catch (e) {
    const pages = Math.ceil(bytes / 65_536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    return { view: new Uint8Array(memory.buffer, 0, bytes), kind: `plain WebAssembly.Memory (createCore failed: ${String(e)})` };
  }
}
