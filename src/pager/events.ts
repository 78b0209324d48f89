/**
 * What the pager reports: a stats snapshot and a stream of events the UI can
 * draw. Types only.
 */
import type { ErrorCode } from '../errors.ts';

export interface PagerStats {
  /** Bytes the pager may hold: min(policy budget, arena capacity). */
  budgetBytes: number;
  /** Bytes of tensors whose load finished and that are still resident. */
  residentBytes: number;
  residentCount: number;
  /** Highest resident + loading bytes seen (never above budgetBytes). */
  maxResidentBytes: number;
  /** Bytes reserved for loads in flight. */
  loadingBytes: number;
  loadsInFlight: number;
  /** Bytes of tensors with at least one live lease. */
  leasedBytes: number;
  /** Bytes of the policy's pinned set (resident or not yet loaded). */
  pinnedBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  bytesLoaded: number;
  bytesEvicted: number;
  /** Background loads started by prefetch. */
  prefetches: number;
  /** The Wasm memory's byte length. */
  memoryBytes: number;
}

export type PagerEventType = 'hit' | 'miss' | 'load-start' | 'load-end' | 'evict' | 'prefetch';

export interface PagerEvent {
  type: PagerEventType;
  /** The tensor's GGUF name. */
  id: string;
  /** Its byte size. */
  bytes: number;
  /** load-end of a failed load: the error's code. */
  error?: ErrorCode;
}

export type PagerListener = (e: PagerEvent) => void;
