// A custom worker as an app with an inference engine writes it: the stock runtime plus a method.
import { WorkerRuntime, exposeRuntime } from 'gguf-pager/worker';

export class EngineRuntime extends WorkerRuntime {
  /** The tensors of block i and the sum of their bytes, read through one layer lease in the arena. */
  async blockTensors(handle: number, i: number): Promise<{ tensors: number; sum: number }> {
    const pager = this.pagerOf(handle);
    const layer = await pager.acquireLayer(i);
    let sum = 0;
    for (const lease of layer.leases) for (const b of lease.bytes()) sum = (sum + b) >>> 0;
    pager.release(layer);
    return { tensors: layer.leases.length, sum };
  }
}

exposeRuntime(new EngineRuntime());
