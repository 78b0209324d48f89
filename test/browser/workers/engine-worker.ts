// A custom runtime worker, as an app with an inference engine would write it:
// the stock WorkerRuntime plus a method that walks a block's tensors through leases.
import * as Comlink from 'comlink';
import { WorkerRuntime, installErrorTransfer } from '../../../src/index.ts';

export class EngineRuntime extends WorkerRuntime {
  /** Sum of every byte of block i, read through one layer lease in the arena. */
  async layerChecksum(handle: number, i: number): Promise<{ sum: number; tensors: number; leasedDuring: number; leasedAfter: number }> {
    const pager = this.pagerOf(handle);
    const layer = await pager.acquireLayer(i);
    let sum = 0;
    for (const lease of layer.leases) for (const b of lease.bytes()) sum = (sum + b) >>> 0;
    const leasedDuring = pager.stats().leasedBytes;
    pager.release(layer);
    return { sum, tensors: layer.leases.length, leasedDuring, leasedAfter: pager.stats().leasedBytes };
  }
}

installErrorTransfer();
Comlink.expose(new EngineRuntime());
