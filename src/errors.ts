/**
 * One error class for the whole library. `code` is stable and machine-readable;
 * `message` names what failed (file, URL, tensor, offset); `details` carries the
 * numbers. Codes survive the worker boundary (see src/runtime/transfer.ts).
 */
export type ErrorCode =
  // arena / KV pool (src/core)
  | 'ARENA_FULL' // no block fits, even after compaction
  | 'ARENA_BAD_HANDLE' // free/pin/ptr of a handle the arena never gave out, or freed already
  | 'ARENA_PINNED' // free of a block that is still pinned
  | 'ARENA_CORRUPT' // check() found a broken arena / KV invariant (a bug in the core)
  | 'ARENA_INIT' // capacity invalid or the memory could not be reserved
  | 'KV_EXHAUSTED' // no free KV page
  | 'KV_BAD_PAGE' // double free or a page index out of range
  | 'KV_BAD_SEQUENCE' // unknown or freed sequence id
  | 'WASM_LOAD' // the core module could not be fetched / instantiated, or lacks the kernels the engine needs
  | 'WASM_ABORT' // the core aborted (a bug: it should never happen)
  // kernels (src/core, assembly/kernels)
  | 'KERNEL_SHAPE' // a dimension that does not divide the weight type's block
  | 'KERNEL_RANGE' // a buffer outside the arena / KV pool
  | 'KERNEL_ALIGN' // a misaligned buffer
  | 'KERNEL_TYPE' // a ggml type with no kernel
  | 'UNSUPPORTED_TENSOR_TYPE' // a model tensor of a type the kernels do not compute (IQ*, TQ*, MXFP4, …)
  // text (src/text)
  | 'TOKENIZER_UNSUPPORTED' // tokenizer.ggml.model the library does not implement
  | 'TOKENIZER_BAD_VOCAB' // missing or inconsistent tokenizer.ggml.* metadata
  | 'TOKEN_OUT_OF_RANGE' // an id outside the vocabulary
  | 'CHAT_TEMPLATE' // the chat template failed to parse or render
  // engine (src/engine)
  | 'UNSUPPORTED_ARCHITECTURE'
  | 'CONTEXT_FULL' // the sequence reached its context length (and contextShift is off)
  // GGUF (src/gguf)
  | 'GGUF_BAD_MAGIC'
  | 'GGUF_UNSUPPORTED_VERSION'
  | 'GGUF_BIG_ENDIAN'
  | 'GGUF_TRUNCATED'
  | 'GGUF_LIMIT' // a count or length beyond a named limit
  | 'GGUF_BAD_VALUE_TYPE'
  | 'GGUF_BAD_STRING'
  | 'GGUF_UNKNOWN_TYPE' // ggml type id with no known size
  | 'GGUF_BAD_SHAPE'
  | 'GGUF_BAD_ALIGNMENT'
  | 'GGUF_MISALIGNED'
  | 'GGUF_DUPLICATE_TENSOR'
  | 'GGUF_TENSOR_OVERLAP'
  | 'GGUF_TENSOR_OUT_OF_BOUNDS'
  | 'GGUF_BAD_SPLIT'
  | 'GGUF_DUPLICATE_KEY' // a metadata key that appears twice in one header
  // sources (src/sources)
  | 'SOURCE_EOF' // read past the end of the source
  | 'SOURCE_OPEN' // a file or URL could not be opened (missing, no permission)
  | 'SOURCE_CHANGED' // remote file changed (ETag/Last-Modified/size) since open
  | 'SOURCE_ABORTED'
  | 'GENERATION_ABORTED' // an OpenAI-style request (chat/completions) aborted through its signal
  | 'HTTP_STATUS' // unexpected status (404, 5xx after retries, ...)
  | 'HTTP_RANGE_IGNORED' // 200 to a Range request
  | 'HTTP_RANGE_NOT_SATISFIABLE' // 416
  | 'HTTP_BAD_CONTENT_RANGE'
  | 'HTTP_BAD_LENGTH' // body shorter or longer than asked
  | 'HTTP_NOT_MODEL' // e.g. an HTML page with status 200
  | 'HTTP_NETWORK' // fetch failed after retries
  | 'STORAGE_QUOTA' // not enough room even after evicting other cached models
  | 'STORAGE_UNAVAILABLE' // OPFS/IndexedDB missing or refused
  | 'CACHE_CORRUPT'
  | 'CACHE_IN_USE' // the cache entry is open in another tab/worker (or still open here)
  | 'SOURCE_NOT_FOUND' // OPFS file / IndexedDB file missing
  | 'INTEGRITY_MISMATCH' // the downloaded bytes do not hash to the expected SHA-256
  | 'HTTP_STALLED' // a range body stopped and stayed silent past the stall timeout and its retries
  | 'HTTP_CONTENT_ENCODING' // a 206 with a Content-Encoding the source cannot decode
  // pager (src/pager)
  | 'PAGER_UNKNOWN_TENSOR'
  | 'PAGER_TENSOR_TOO_LARGE'
  | 'PAGER_PINS_OVER_BUDGET'
  | 'PAGER_NO_SPACE' // everything resident is leased/pinned and the wait timed out
  | 'PAGER_BAD_LEASE' // release of a lease twice or of a foreign lease
  | 'PAGER_DISPOSED'
  // runtime (src/runtime)
  | 'RUNTIME_DISPOSED'
  | 'WORKER_START' // the runtime's worker script failed to load or start
  | 'MODEL_INCOMPLETE' // a metadata key or tensor the architecture needs is missing, of another shape, or inconsistent
  | 'MODEL_DISPOSED'
  | 'MODEL_OVER_BUDGET' // a loaded model alone is larger than the model cache's memory budget
  | 'MODEL_BAD_LEASE' // release of a model lease twice
  | 'INVALID_ARGUMENT';

export class GgufPagerError extends Error {
  override readonly name = 'GgufPagerError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

export function isGgufPagerError(e: unknown, code?: ErrorCode): e is GgufPagerError {
  return e instanceof GgufPagerError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'GgufPagerError' && typeof (e as { code?: unknown }).code === 'string')
    ? code === undefined || (e as GgufPagerError).code === code
    : false;
}
