/**
 * The ops cases (RMSNorm, LayerNorm, RoPE, softmax, SiLU/SwiGLU, add/mul/scale/bias,
 * attention over KV pages, and their typed errors). Run in Node, a page and a
 * Worker (test/unit/ops.test.ts, test/browser/ops.test.ts, test/browser/ops-worker.test.ts).
 */
import type { Cases } from './arena-harness.ts';
import { opsElementwiseCases } from './ops-elementwise.ts';
import { opsRopeCases } from './ops-rope.ts';
import { opsAttentionCases } from './ops-attention.ts';
import { opsErrorCases } from './ops-errors.ts';
import { opsFamilyCases } from './ops-families.ts';
import { opsEncoderCases } from './ops-encoder.ts';

export const opsCases: Cases = {
  ...opsElementwiseCases,
  ...opsRopeCases,
  ...opsAttentionCases,
  ...opsErrorCases,
  ...opsFamilyCases,
  ...opsEncoderCases,
};
