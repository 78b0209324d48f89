/**
 * The presence journal of a cache entry: which chunks are durable, recorded
 * the moment each one is, so that a closed tab or a crash loses only the
 * chunks in flight (the manifest's JSON is saved only now and then).
 *
 *   byte 0            16                      16 + ceil(chunkCount / 8)
 *   ┌─────────────────┬───────────────────────┐
 *   │ gen (16 ASCII    │ present bitmap, as in │
 *   │ hex digits)      │ manifest.ts           │
 *   └─────────────────┴───────────────────────┘
 *
 * `gen` is the manifest's generation: a journal written for an earlier
 * version of the entry (another gen) is ignored, never mixed in. Bits are
 * only ever set, each after its chunk's bytes are durable, so a torn or
 * stale byte can only under-report (a re-fetch), never claim missing bytes.
 * OPFS keeps it in the file `journal` (after the first full write, one byte
 * per chunk is rewritten in place); IndexedDB as the value `${id}:journal`
 * beside the chunks, rewritten whole (it is small).
 */
export const JOURNAL_HEADER = 16;

/** The whole journal: header and bitmap. */
export function encodeJournal(gen: string, present: Uint8Array): Uint8Array {
  const out = new Uint8Array(JOURNAL_HEADER + present.length);
  for (let i = 0; i < JOURNAL_HEADER; i++) out[i] = gen.charCodeAt(i) & 0x7f;
  out.set(present, JOURNAL_HEADER);
  return out;
}

/** Its gen and bitmap; undefined when too short to hold a header. */
export function decodeJournal(bytes: Uint8Array | undefined): { gen: string; bits: Uint8Array } | undefined {
  if (!bytes || bytes.length < JOURNAL_HEADER) return undefined;
  return { gen: String.fromCharCode(...bytes.subarray(0, JOURNAL_HEADER)), bits: bytes.subarray(JOURNAL_HEADER) };
}

/** Runs journal writes one after another (each sees every bit set before it); a failed write is dropped. */
export class JournalQueue {
  private chain: Promise<void> = Promise.resolve();

  run(write: () => Promise<void>): Promise<void> {
    const next = this.chain.then(write).catch(() => undefined); // a lost record costs a re-fetch, not the read
    this.chain = next;
    return next;
  }
}
