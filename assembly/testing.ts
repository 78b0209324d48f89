// The test/bench build's extra exports (build/core.testing.wasm, build/core.testing-relaxed.wasm:
// asconfig.testing.json compiles this file together with index.ts, so those builds export
// everything the production core does plus these). Nothing under src/ calls them; the four
// production builds leave them out (test/unit/core-exports.test.ts checks both lists).

// Scalar oracles: the same results in plain loops, against which the SIMD kernels are tested and timed.
export { kMatvecScalar, kVecDot, kQuantizeAct } from './kernels/matvec';
export { kAttentionScalar, kAttentionScalarExt } from './kernels/attention-scalar';
export { kGegluScalar, kSoftcapScalar } from './kernels/gelu';
export { kLayerNormScalar } from './kernels/layer-norm';
// The benchmark's streaming-bandwidth ceiling.
export { kByteSum } from './kernels/bytesum';
// The region the kernels' range checks accept (set by init).
export { kernelRegionLo, kernelRegionHi } from './kernels/check';
// The half-float conversions the kernels use, for exhaustive tests.
export { f32ToF16, f16ToF32 } from './f16';
// K-quant kernels (Q2_K..Q6_K weights, Q8_K activations): checked entry points for tests and benches.
export { kqBlockBytes, kqRowBytes, kqQ8KBytes, kqQuantizeQ8K, kqDequant, kqMatvec, kqMatmul, kqVecDot } from './kernels/kquants';
