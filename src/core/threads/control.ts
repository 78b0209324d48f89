/**
 * The control block a parallel op is posted through: 80 i32 words in a pinned
 * arena block of the shared core memory (so it is counted in the budget), read
 * and written only with Atomics. Thread 0 (the runtime's own thread) fills the
 * op and each share's range, opens the shares for epoch E, bumps EPOCH and
 * wakes sleeping workers; each worker t claims share t (E → −E), runs it, and
 * marks it done (→ 0). Thread 0 runs share 0, then claims any share still open
 * (a worker that is late, never started or died runs no share), then waits
 * for the claimed ones.
 *
 *  word  0        1          2    3 … 15          16 … 31       32 … 47   48 … 63   64 … 79
 *  ┌────────┬──────────┬────┬───────────────┬──────────────┬─────────┬─────────┬─────────┐
 *  │ EPOCH  │ SLEEPERS │ OP │ ARGS (13 i32; │ SHARE[t]:    │ LO[t]   │ HI[t]   │ STATUS  │
 *  │        │          │    │ f32 by bits)  │ E open, −E   │ first   │ end of  │ [t] of  │
 *  │        │          │    │               │ claimed, 0   │ row or  │ share t │ share t │
 *  │        │          │    │               │ done         │ head    │         │         │
 *  └────────┴──────────┴────┴───────────────┴──────────────┴─────────┴─────────┴─────────┘
 */

export const MAX_THREADS = 16; // assembly/kernels/q8_k.ts MAX_THREADS
export const EPOCH = 0;
export const SLEEPERS = 1;
export const OP = 2;
export const ARGS = 3;
export const SHARE = 16;
export const LO = SHARE + MAX_THREADS;
export const HI = LO + MAX_THREADS;
export const STATUS = HI + MAX_THREADS;
export const CONTROL_WORDS = STATUS + MAX_THREADS;
export const CONTROL_BYTES = CONTROL_WORDS * 4;

/** Ops a compute worker runs (the numbers the worker program switches on). */
export const OP_MATMUL_ROWS = 1;
export const OP_ATTENTION_HEADS = 2;
export const OP_EXIT = 3;
export const OP_ATTENTION_EXT_HEADS = 4;
