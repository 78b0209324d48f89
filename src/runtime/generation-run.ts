/**
 * The page's side of one generation: an async iterable of the pieces the
 * worker streams (they arrive in batches), a promise of the result, and
 * thenable itself, so both `for await (const p of run)` and `await run` work.
 */
import type { GenerateResult, Piece } from '../engine/generation.ts';

export interface GenerationRun extends AsyncIterable<Piece>, PromiseLike<GenerateResult> {
  /** Resolves when the generation ends, with its text, ids and stop reason. */
  readonly result: Promise<GenerateResult>;
}

/** A run fed by `push` (pieces from the worker) and settled by `start`'s promise. */
export class PieceStream implements GenerationRun {
  readonly result: Promise<GenerateResult>;
  private readonly pieces: Piece[] = [];
  private wake: (() => void) | null = null;
  private done = false;
  private failure: unknown = null;

  constructor(start: (push: (pieces: Piece[]) => void) => Promise<GenerateResult>) {
    this.result = start((pieces) => {
      this.pieces.push(...pieces);
      this.notify();
    }).then(
      (r) => {
        this.done = true;
        this.notify();
        return r;
      },
      (e) => {
        this.done = true;
        this.failure = e;
        this.notify();
        throw e;
      },
    );
    this.result.catch(() => undefined); // reported through the iterator or `result`, not as unhandled
  }

  then<A = GenerateResult, B = never>(
    ok?: ((r: GenerateResult) => A | PromiseLike<A>) | null,
    fail?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(ok, fail);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Piece> {
    let i = 0;
    for (;;) {
      if (i < this.pieces.length) {
        yield this.pieces[i++];
        continue;
      }
      if (this.done) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
