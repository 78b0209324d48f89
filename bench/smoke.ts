/**
 * `--smoke`: a bench runs briefly (tiny sizes, a few seconds, no ratio targets,
 * no result files written), so `npm test` can run every bench and a bench that
 * breaks fails the tests (scripts/bench-smoke.js).
 */
export const SMOKE = ((globalThis as { process?: { argv: string[] } }).process?.argv ?? []).includes('--smoke');

/** `full` normally, `smoke` under --smoke. */
export const sized = <T>(full: T, smoke: T): T => (SMOKE ? smoke : full);
