/** Starts test/browser/core-worker.ts and runs cases in it, one message each. */
export interface CaseRequest {
  id: number;
  suite: 'arena' | 'kv' | 'kquants' | 'kernels-simd' | 'kernels-relaxed';
  name: string;
}
export interface CaseResult {
  id: number;
  ok: boolean;
  inWorker: boolean;
  message?: string;
  code?: string;
}

export interface CoreWorker {
  run(suite: CaseRequest['suite'], name: string): Promise<CaseResult>;
  terminate(): void;
}

export function startCoreWorker(): CoreWorker {
  const worker = new Worker(new URL('./core-worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve(r: CaseResult): void; reject(e: Error): void }>();
  let next = 0;
  worker.addEventListener('message', (ev: MessageEvent<CaseResult>) => {
    pending.get(ev.data.id)?.resolve(ev.data);
    pending.delete(ev.data.id);
  });
  worker.addEventListener('error', (ev: ErrorEvent) => {
    for (const p of pending.values()) p.reject(new Error(`core worker failed: ${ev.message}`));
    pending.clear();
  });
  return {
    run(suite, name) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, suite, name } satisfies CaseRequest);
      });
    },
    terminate: () => worker.terminate(),
  };
}
