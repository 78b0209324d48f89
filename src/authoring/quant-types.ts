/**
 * The weight types the authoring tools write (the quantizers, the synthetic
 * models), each with the llama_ftype (llama.h) of a model whose weights are
 * all of that type.
 */
export const FILE_TYPE = {
  F32: 0,
  F16: 1,
  BF16: 32,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 8,
  Q5_1: 9,
  Q8_0: 7,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 14,
  Q5_K: 16,
  Q6_K: 18,
} as const;

export type QuantType = keyof typeof FILE_TYPE;
