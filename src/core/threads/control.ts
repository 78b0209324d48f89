/**
 * The control block a parallel op is posted through: 48 i32 words in a pinned
 * arena block of the shared core memory (so it is counted in the budget), read
 * and written only with Atomics where threads meet. An op's range [0, COUNT)
 * (rows of a matmul, heads of attention) is cut into CHUNKS chunks of SIZE;
 * every thread, thread 0 included, takes the next chunk with one
 * compareExchange on NEXT until none is left, so a worker that wakes late
 * takes fewer chunks and none waits on it (ggml's chunked matmul does the
 * same). Each chunk is the serial kernel over its range: one writer per output
 * element, the same bits at any thread count.
 *
 * NEXT carries the op's tag (EPOCH & 0x7fff) in its high half and the next
 * chunk in its low half, so a worker that read an older epoch cannot claim a
 * chunk of a newer op on that epoch's terms. Thread 0 fills the op, resets
 * DONE and STATUS, stores NEXT, then bumps EPOCH and wakes sleeping workers.
 *
 *  word  0      1         2    3 … 23        24     25      26    27     28    29      30        32 … 47
 *  ┌───────┬──────────┬────┬─────────────┬──────┬────────┬──────┬───────┬──────┬────────┬─────────┬─────────┐
 *  │ EPOCH │ SLEEPERS │ OP │ ARGS (21    │ NEXT │ CHUNKS │ SIZE │ COUNT │ DONE │ STATUS │ WAITING │ BUSY[t] │
 *  │       │          │    │ i32; f32 by │ tag, │        │      │       │      │ first  │ thread  │ epoch t │
 *  │       │          │    │ their bits) │ next │        │      │       │      │ < 0    │ 0 waits │ runs in │
 *  └───────┴──────────┴────┴─────────────┴──────┴────────┴──────┴───────┴──────┴────────┴─────────┴─────────┘
 */

export const MAX_THREADS = 16; // assembly/kernels/q8_k.ts MAX_THREADS
export const EPOCH = 0;
export const SLEEPERS = 1;
export const OP = 2;
export const ARGS = 3;
export const MAX_ARGS = 21;
export const NEXT = ARGS + MAX_ARGS;
export const CHUNKS = NEXT + 1;
export const SIZE = NEXT + 2;
export const COUNT = NEXT + 3;
export const DONE = NEXT + 4;
export const STATUS = NEXT + 5;
export const WAITING = NEXT + 6;
export const BUSY = 32;
export const CONTROL_WORDS = BUSY + MAX_THREADS;
export const CONTROL_BYTES = CONTROL_WORDS * 4;
/** Chunks one op may have (NEXT's low half). */
export const MAX_CHUNKS = 0xffff;
/** The op tag in NEXT's high half: EPOCH & TAG_MASK, shifted by 16. */
export const TAG_MASK = 0x7fff;

/** Ops a compute worker runs (the numbers the worker program switches on). */
export const OP_MATMUL_ROWS = 1;
export const OP_EXIT = 3; // 2 was plain attention by heads: attention is OP_ATTENTION_EXT_HEADS with first 0, cap 0
export const OP_ATTENTION_EXT_HEADS = 4;
/**
 * Several matmuls of one type over the same activations (q, k, v; gate and up), quantized once: their rows
 * are one range, matrix after matrix. ARGS: type, cols, x, batch, work, m, then m × (w, rows, y); m ≤ MAX_MATRICES.
 */
export const OP_MATMUL_MANY = 5;
export const MAX_MATRICES = 5;
/** A batch's activations quantized for a matmul, rows of the batch split. ARGS: type, w, rows, cols, x, y, work, bytes per row. */
export const OP_PREPARE_ROWS = 6;
/** SwiGLU (kind 0) or GeGLU (kind 1) over n elements, split in ranges. ARGS: kind, gate, up, out. */
export const OP_GLU = 7;
