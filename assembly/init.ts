// init(): reserve every byte the core will ever use, once. Memory grows here
// and never again: the arena and the KV pool hand out parts of this region.
//
//  linear memory after init
//  0                               start = the first page above the static data
//  ┌──────────────────────────────┬──────────────────────────┬────────────┬────────────┬──────────────┬──────────────────┐
//  │ AS data, static tables       │ arena (tensor blocks)    │ KV pages   │ node table │ KV page recs │ seq recs, slots, │
//  │ (stats, class heads, maps)   │ arenaBytes               │ kvBytes    │            │ + free stack │ scratch          │
//  └──────────────────────────────┴──────────────────────────┴────────────┴────────────┴──────────────┴──────────────────┘
//                                  └─────────── budget = arenaBytes + kvBytes ─────────┘└──── metadata, outside it ────┘
//  The stub runtime's heap is never used after start (the core makes no
//  managed objects), so nothing else can claim the memory above `start`.

import { ALIGN, ALIGN_BITS, ALIGN_MASK, WASM_PAGE, WASM_PAGE_BITS, MEMORY_LIMIT, OK, E_INIT_ARGS, E_INIT_MEMORY, E_INIT_TWICE, alignUp64 } from './common';
import { NODE_SIZE, MAX_BLOCKS, nodesFor, nodesSetup } from './nodes';
import { arenaSetup, arenaPlace } from './arena';
import { kvPageBytesFor, kvMetaBytesFor, kvSetup, kvPlace } from './kv';
import { MAX_SEQS, seqMetaBytesFor, seqSetup, seqPlace } from './kv-seq';
import { setKernelRegion } from './kernels/check';
import { setThread, MAX_THREADS } from './kernels/q8_k';

let initialised = false;

// The layout of one budget, computed by place() into these globals (per instance).
let start: u64 = 0;
let arenaBytes: u64 = 0;
let kvBytes: u64 = 0;
let nodeBytes: u64 = 0;
let kvMetaBytes: u64 = 0;
let end: u64 = 0;

/**
 * Where everything goes for this budget: start is the first page above the
 * static data (memory.size() at init in the single-thread build, whose
 * memory starts that large), end the first byte past the tables.
 */
function place(budget: u32, maxBlocks: u32, kvPages: u32, kvPageElems: u32, kvElemBytes: u32, maxSeqs: u32): i32 {
  const total = <u64>(budget & ~ALIGN_MASK);
  if (maxBlocks == 0 || maxBlocks > MAX_BLOCKS || maxSeqs == 0 || maxSeqs > MAX_SEQS) return E_INIT_ARGS;
  if (kvElemBytes != 2 && kvElemBytes != 4) return E_INIT_ARGS;
  if (kvPages > 0 && kvPageElems < 2) return E_INIT_ARGS;
  kvBytes = <u64>kvPages * kvPageBytesFor(kvPageElems, kvElemBytes);
  if (kvBytes + ALIGN > total) return E_INIT_ARGS;
  arenaBytes = total - kvBytes;
  nodeBytes = alignUp64(<u64>nodesFor(maxBlocks) * NODE_SIZE);
  kvMetaBytes = alignUp64(kvMetaBytesFor(kvPages));
  const seqBytes = alignUp64(seqMetaBytesFor(maxSeqs, kvPages > 0 ? kvPageElems : 0));
  start = (<u64>__heap_base + WASM_PAGE - 1) & ~(WASM_PAGE - 1);
  end = start + total + nodeBytes + kvMetaBytes + seqBytes;
  return end > MEMORY_LIMIT ? E_INIT_MEMORY : OK;
}

/**
 * Reserve `budget` bytes (rounded down to ALIGN) for tensor blocks and KV
 * pages, plus the tables that describe them. The KV pages come off the top
 * of the budget; the arena gets the rest, and must get at least one block.
 * A memory that is already large enough (the shared build's, sized by
 * initPages and never grown) is used as it is.
 */
export function init(budget: u32, maxBlocks: u32, kvPages: u32, kvPageElems: u32, kvElemBytes: u32, maxSeqs: u32): i32 {
  if (initialised) return E_INIT_TWICE;
  const r = place(budget, maxBlocks, kvPages, kvPageElems, kvElemBytes, maxSeqs);
  if (r != OK) return r;
  const have = <u64>memory.size() << WASM_PAGE_BITS;
  if (end > have && memory.grow(<i32>((end - have + WASM_PAGE - 1) >> WASM_PAGE_BITS)) < 0) return E_INIT_MEMORY;

  const arena = <usize>start;
  const kv = arena + <usize>arenaBytes;
  const nodes = kv + <usize>kvBytes;
  const kvMeta = nodes + <usize>nodeBytes;
  const seqs = kvMeta + <usize>kvMetaBytes;
  nodesSetup(nodes, nodesFor(maxBlocks));
  arenaSetup(arena, <u32>(arenaBytes >> ALIGN_BITS), maxBlocks);
  kvSetup(kv, kvMeta, kvPages, kvPageElems, kvElemBytes);
  seqSetup(seqs, maxSeqs);
  setKernelRegion(arena, kv + <usize>kvBytes); // kernels read and write only inside the budget
  initialised = true;
  return OK;
}

/** Wasm pages a memory needs for init with these arguments (the shared build's fixed size), or a negative status. */
export function initPages(budget: u32, maxBlocks: u32, kvPages: u32, kvPageElems: u32, kvElemBytes: u32, maxSeqs: u32): i32 {
  const r = place(budget, maxBlocks, kvPages, kvPageElems, kvElemBytes, maxSeqs);
  return r != OK ? r : <i32>((end + WASM_PAGE - 1) >> WASM_PAGE_BITS);
}

/**
 * A compute thread's instance on the shared memory another instance has
 * init'ed with the same arguments: sets only this instance's globals (kernel
 * region, KV and sequence geometry, its accumulators: thread 1..MAX_THREADS-1)
 * and writes no byte of memory. Init is refused afterwards.
 */
export function attach(budget: u32, maxBlocks: u32, kvPages: u32, kvPageElems: u32, kvElemBytes: u32, maxSeqs: u32, thread: u32): i32 {
  if (initialised) return E_INIT_TWICE;
  if (thread == 0 || thread >= MAX_THREADS) return E_INIT_ARGS;
  const r = place(budget, maxBlocks, kvPages, kvPageElems, kvElemBytes, maxSeqs);
  if (r != OK) return r;
  if (end > (<u64>memory.size() << WASM_PAGE_BITS)) return E_INIT_MEMORY;
  const kv = <usize>start + <usize>arenaBytes;
  const kvMeta = kv + <usize>kvBytes + <usize>nodeBytes;
  kvPlace(kv, kvMeta, kvPages, kvPageElems, kvElemBytes);
  seqPlace(kvMeta + <usize>kvMetaBytes, maxSeqs);
  setKernelRegion(<usize>start, kv + <usize>kvBytes);
  arenaPlace(<usize>start, <u32>(arenaBytes >> ALIGN_BITS));
  setThread(thread);
  initialised = true;
  return OK;
}

// ALIGN is part of the contract with the TypeScript side.
export const BLOCK_ALIGN: u32 = ALIGN;
