/** Load progress keeps showing a stalled read until bytes come from the network again. */
import { expect, it } from 'vitest';
import { ProgressMeter } from '../../src/runtime/progress.ts';
import type { LoadProgress } from '../../src/runtime/protocol.ts';

it('a stall is in the next events until network bytes flow again', () => {
  const events: LoadProgress[] = [];
  let now = 0;
  const meter = new ProgressMeter(
    (p) => events.push(p),
    () => now,
  );
  meter.tick({ fromNetwork: 0, fromCache: 0 }, 0, 1000);
  now += 200;
  meter.tick({ fromNetwork: 100, fromCache: 0 }, 100, 1000);
  meter.stall({ url: 'http://x/m.gguf', range: 'bytes=0-999', stalls: 1, stallMs: 30_000 });
  expect(events.at(-1)).toMatchObject({ phase: 'download', bytesPerSecond: 0, stalled: { url: 'http://x/m.gguf', range: 'bytes=0-999', stalls: 1 } });
  now += 500;
  meter.tick({ fromNetwork: 100, fromCache: 0 }, 100, 1000);
  expect(events.at(-1)!.stalled?.stalls).toBe(1);
  now += 500;
  meter.tick({ fromNetwork: 600, fromCache: 0 }, 600, 1000);
  expect(events.at(-1)!.stalled).toBeUndefined();
});
