/**
 * The inference engine as the runtime sees it (the seed's `InferenceEngine`,
 * reduced to what warm-up and the runtime call). The forward pass in
 * src/engine/ implements it (`ModelEngine.asEngine()`). Types only, no logic.
 *
 * Tokens are token ids from the model's own tokenizer. Nothing in the runtime
 * makes token ids up from text (the seed's warm-up did: prompt bytes modulo
 * 32000, which is not a tokenization of anything).
 */

/** Sampling settings for one generation. Omitted fields take the engine's defaults. */
export interface GenerateParams {
  /** 0 = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
  /** Token ids that end the generation early (e.g. end-of-sequence). */
  stopTokens?: readonly number[];
}

export interface Engine {
  /**
   * Runs the prompt `tokens` and generates up to `n` further token ids, sampling
   * with the deterministic `seed`. Resolves to the generated ids (not the prompt).
   */
  generate(tokens: number[], n: number, seed: number, params?: GenerateParams): Promise<number[]>;
  /** Drops the sequence state (KV pages, position) so the next request starts clean. */
  reset(): void;
}
