/** The pager: policy, eviction, the LayerPager and its simulator. The public surface of src/pager. */
export type { EvictionKind, OffloadPolicy } from './policy.ts';
export { blockCount, blockIndexOf, defaultBudgetBytes, defaultPolicy, DEFAULT_PIN_SHARE, evictionKind, isDisabled, pinnedSet, prefetchAhead, ramBudgetBytes } from './policy.ts';
export { forwardSchedule, groupTrace, Schedule } from './schedule.ts';
export { createEviction, FurthestNextUseEviction, LruEviction, type EvictionPolicy } from './eviction.ts';
export { offlineOptimum, type OptimumInput, type OptimumResult } from './optimum.ts';
export { DEFAULT_WAIT_TIMEOUT_MS, LayerPager, type AcquireOptions, type LayerPagerOptions } from './layer-pager.ts';
export { Lease, LeaseGroup, type LayerLease, type TensorId } from './lease.ts';
export type { PagerEvent, PagerEventType, PagerListener, PagerStats } from './events.ts';
export { arenaBytesFor, CountingSource, minimumBudgetBytes, simulate, simulationPolicy, type PinsChoice, type SimulationOptions, type SimulationResult } from './simulator.ts';
