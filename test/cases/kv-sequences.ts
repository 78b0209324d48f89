/**
 * Per-sequence page tables: append one token's K and V at a time, walk the
 * pages in order, free them all. Layout (src/core/kv-pool.ts): with
 * T = tokensPerPage, token t sits on page t / T, slot s = t % T, K at element
 * s·kvDim and V at (T + s)·kvDim.
 */
import { createCore } from '../../src/core/core.ts';
import type { KvCachePool } from '../../src/core/kv-pool.ts';
import { type Cases, check, checkEq, checkThrows } from './arena-harness.ts';
import { KiB, pool } from './kv-setup.ts';

const kOf = (t: number, dim: number, seq = 0): Float32Array => Float32Array.from({ length: dim }, (_, j) => seq * 10000 + t * 100 + j + 0.25);
const vOf = (t: number, dim: number, seq = 0): Float32Array => kOf(t, dim, seq).map((x) => -x);

function appendTokens(kv: KvCachePool, seq: number, from: number, to: number, dim: number, tag = 0): void {
  for (let t = from; t < to; t++) kv.seqAppend(seq, kOf(t, dim, tag), vOf(t, dim, tag));
}

/** Reads token t's K and V back through seqPages and the documented layout. */
function readToken(kv: KvCachePool, seq: number, t: number, dim: number): { k: number[]; v: number[] } {
  const perPage = kv.tokensPerPage(dim);
  const page = kv.page(kv.seqPages(seq)[Math.floor(t / perPage)]!);
  const s = t % perPage;
  return { k: [...page.subarray(s * dim, (s + 1) * dim)], v: [...page.subarray((perPage + s) * dim, (perPage + s + 1) * dim)] };
}

function checkTokens(kv: KvCachePool, seq: number, count: number, dim: number, tag = 0): void {
  for (let t = 0; t < count; t++) {
    const { k, v } = readToken(kv, seq, t, dim);
    checkEq(k.join(), [...kOf(t, dim, tag)].join(), `K of token ${t} of sequence ${seq}`);
    checkEq(v.join(), [...vOf(t, dim, tag)].join(), `V of token ${t} of sequence ${seq}`);
  }
}

export const kvSequenceCases: Cases = {
  async 'sequence tables append tokens page by page, walk them in order and free every page'() {
    const kv = await pool(8, 64);
    const seq = kv.seqCreate();
    checkEq(kv.seqPages(seq).length, 0, 'pages of a new sequence');
    checkEq(kv.tokensPerPage(8), 4, 'tokens per 64-element page at width 8');
    appendTokens(kv, seq, 0, 10, 8);
    checkEq(kv.seqLength(seq), 10, 'sequence length');
    checkEq(kv.seqKvDim(seq), 8, 'sequence width');
    const pages = kv.seqPages(seq);
    checkEq(pages.length, 3, 'pages for 10 tokens at 4 a page');
    checkEq(new Set(pages).size, 3, 'distinct pages');
    checkEq(kv.usedPages, 3, 'used pages');
    checkTokens(kv, seq, 10, 8);
    const last = kv.page(pages[2]!);
    check(
      last.subarray(2 * 8, 4 * 8).every((x) => x === 0),
      'K slots of tokens 10 and 11 are still zero',
    );
    kv.check();
    kv.seqFree(seq);
    checkEq(kv.freePages, 8, 'free pages after seqFree');
    checkThrows(() => kv.seqPages(seq), 'KV_BAD_SEQUENCE', 'seqPages of a freed sequence');
    kv.check();
  },

  async 'keeps two interleaved sequences apart, each with its own pages and tokens'() {
    const kv = await pool(8, 48);
    const a = kv.seqCreate();
    const b = kv.seqCreate();
    for (let t = 0; t < 7; t++) {
      kv.seqAppend(a, kOf(t, 4, 1), vOf(t, 4, 1));
      kv.seqAppend(b, kOf(t, 6, 2), vOf(t, 6, 2));
    }
    const shared = kv.seqPages(a).filter((p) => kv.seqPages(b).includes(p));
    checkEq(shared.length, 0, 'pages shared by the two sequences');
    checkTokens(kv, a, 7, 4, 1);
    checkTokens(kv, b, 7, 6, 2);
    kv.seqFree(a);
    checkTokens(kv, b, 7, 6, 2);
    kv.check();
  },

  async 'rejects a changed width, a width over half a page, and K and V of different widths'() {
    const kv = await pool(4, 32);
    const seq = kv.seqCreate();
    checkThrows(() => kv.seqAppend(seq, new Float32Array(17), new Float32Array(17)), 'INVALID_ARGUMENT', 'width 17 on a 32-element page');
    checkThrows(() => kv.seqAppend(seq, new Float32Array(0), new Float32Array(0)), 'INVALID_ARGUMENT', 'width 0');
    checkThrows(() => kv.seqAppend(seq, new Float32Array(4), new Float32Array(5)), 'INVALID_ARGUMENT', 'K of 4 and V of 5');
    kv.seqAppend(seq, new Float32Array(16), new Float32Array(16));
    checkThrows(() => kv.seqAppend(seq, new Float32Array(8), new Float32Array(8)), 'INVALID_ARGUMENT', 'width 8 after width 16');
    checkEq(kv.seqLength(seq), 1, 'length after the rejected appends');
    kv.check();
  },

  async 'rejects a freed or unknown sequence id with KV_BAD_SEQUENCE'() {
    const kv = await pool(2, 16);
    const seq = kv.seqCreate();
    kv.seqFree(seq);
    checkThrows(() => kv.seqFree(seq), 'KV_BAD_SEQUENCE', 'double seqFree');
    checkThrows(() => kv.seqAppend(seq, new Float32Array(2), new Float32Array(2)), 'KV_BAD_SEQUENCE', 'append to a freed sequence');
    const again = kv.seqCreate();
    check(again !== seq, `a reused slot gets a new id (${seq} then ${again})`);
    checkThrows(() => kv.seqLength(seq), 'KV_BAD_SEQUENCE', 'length of the stale id');
    for (const bad of [0, -5, 123456, 1.5]) checkThrows(() => kv.seqLength(bad), 'KV_BAD_SEQUENCE', `seqLength(${bad})`);
  },

  async 'fails an append that finds no free page with KV_EXHAUSTED and leaves the sequence as it was'() {
    const kv = await pool(2, 16);
    const seq = kv.seqCreate();
    appendTokens(kv, seq, 0, 4, 4); // 2 tokens a page: both pages
    const e = checkThrows(() => kv.seqAppend(seq, kOf(4, 4), vOf(4, 4)), 'KV_EXHAUSTED', 'a fifth token');
    check(e.message.includes(`sequence ${seq}`), `the message names the sequence: ${e.message}`);
    checkEq(kv.seqLength(seq), 4, 'length after the failed append');
    checkEq(kv.seqPages(seq).length, 2, 'pages after the failed append');
    checkTokens(kv, seq, 4, 4);
    kv.check();
  },

  async 'refuses to free a page a sequence owns on its own'() {
    const kv = await pool(2, 16);
    const seq = kv.seqCreate();
    kv.seqAppend(seq, new Float32Array(4), new Float32Array(4));
    const [page] = kv.seqPages(seq);
    checkThrows(() => kv.free(page!), 'KV_BAD_PAGE', 'free of a sequence page');
    checkEq(kv.seqPages(seq).join(), String(page), 'the sequence still owns its page');
  },

  async 'runs out of sequence slots with KV_EXHAUSTED and gets them back when a sequence is freed'() {
    const { kv } = await createCore({ arenaBytes: 64 * KiB, kv: { pages: 2, pageElems: 16, maxSequences: 2 } });
    const a = kv!.seqCreate();
    kv!.seqCreate();
    checkThrows(() => kv!.seqCreate(), 'KV_EXHAUSTED', 'a third sequence');
    kv!.seqFree(a);
    check(kv!.seqCreate() > 0, 'a sequence after one was freed');
  },
};
