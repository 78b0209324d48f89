// init(): reserve every byte the core will ever use, once. Memory grows here
// and never again: the arena and the KV pool hand out parts of this region.
//
//  linear memory after init
//  0                               start = memory.size() at init (page aligned)
//  ┌──────────────────────────────┬──────────────────────────┬────────────┬────────────┬──────────────┬──────────────────┐
//  │ AS data, static tables       │ arena (tensor blocks)    │ KV pages   │ node table │ KV page recs │ seq recs, slots, │
//  │ (stats, class heads, maps)   │ arenaBytes               │ kvBytes    │            │ + free stack │ scratch          │
//  └──────────────────────────────┴──────────────────────────┴────────────┴────────────┴──────────────┴──────────────────┘
//                                  └─────────── budget = arenaBytes + kvBytes ─────────┘└──── metadata, outside it ────┘
//  The stub runtime's heap is never used after start (the core makes no
//  managed objects), so nothing else can claim the memory above `start`.

import { ALIGN, ALIGN_BITS, ALIGN_MASK, WASM_PAGE, WASM_PAGE_BITS, MEMORY_LIMIT, OK, E_INIT_ARGS, E_INIT_MEMORY, E_INIT_TWICE, alignUp64 } from './common';
import { NODE_SIZE, MAX_BLOCKS, nodesFor, nodesSetup } from './nodes';
import { arenaSetup } from './arena';
import { kvPageBytesFor, kvMetaBytesFor, kvSetup } from './kv';
import { MAX_SEQS, seqMetaBytesFor, seqSetup } from './kv-seq';
import { setKernelRegion } from './kernels/check';

let initialised = false;

/**
 * Reserve `budget` bytes (rounded down to ALIGN) for tensor blocks and KV
 * pages, plus the tables that describe them. The KV pages come off the top
 * of the budget; the arena gets the rest, and must get at least one block.
 */
export function init(budget: u32, maxBlocks: u32, kvPages: u32, kvPageElems: u32, kvElemBytes: u32, maxSeqs: u32): i32 {
  if (initialised) return E_INIT_TWICE;
  const total = <u64>(budget & ~ALIGN_MASK);
  if (maxBlocks == 0 || maxBlocks > MAX_BLOCKS || maxSeqs == 0 || maxSeqs > MAX_SEQS) return E_INIT_ARGS;
  if (kvElemBytes != 2 && kvElemBytes != 4) return E_INIT_ARGS;
  if (kvPages > 0 && kvPageElems < 2) return E_INIT_ARGS;
  const kvBytes = <u64>kvPages * kvPageBytesFor(kvPageElems, kvElemBytes);
  if (kvBytes + ALIGN > total) return E_INIT_ARGS;
  const arenaBytes = total - kvBytes;

  const nodeBytes = alignUp64(<u64>nodesFor(maxBlocks) * NODE_SIZE);
  const kvMetaBytes = alignUp64(kvMetaBytesFor(kvPages));
  const seqBytes = alignUp64(seqMetaBytesFor(maxSeqs, kvPages > 0 ? kvPageElems : 0));
  const start = <u64>memory.size() << WASM_PAGE_BITS;
  const end = start + total + nodeBytes + kvMetaBytes + seqBytes;
  if (end > MEMORY_LIMIT) return E_INIT_MEMORY;
  const pages = <i32>((end - start + WASM_PAGE - 1) >> WASM_PAGE_BITS);
  if (memory.grow(pages) < 0) return E_INIT_MEMORY;

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

// ALIGN is part of the contract with the TypeScript side.
export const BLOCK_ALIGN: u32 = ALIGN;
