/** Turns load steps into LoadProgress events with a rate over a sliding window. */
import type { LoadPhase, LoadProgress } from './protocol.ts';

/** The rate is measured over about this long. */
const RATE_WINDOW_MS = 1000;
/** At most one `download`/`cache-read` event per this many ms (the last one always goes out). */
const MIN_INTERVAL_MS = 100;

export class ProgressMeter {
  private samples: Array<[number, number]> = [];
  private lastEmit = 0;
  private traffic = { fromNetwork: 0, fromCache: 0 };
  private networkAtStart = -1;
  private readonly started: number;
  private stalled: LoadProgress['stalled'];
  private last: LoadProgress | undefined;

  constructor(
    private readonly onProgress?: (p: LoadProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** The last event: the model's bytes, and the average rate of the whole load. */
  ready(fileBytes: number, traffic = this.traffic): void {
    const seconds = (this.now() - this.started) / 1000;
    const moved = traffic.fromNetwork + traffic.fromCache;
    this.emit({ phase: 'ready', bytesDone: fileBytes, bytesTotal: fileBytes, bytesPerSecond: seconds > 0 ? moved / seconds : 0, ...traffic });
  }

  phase(phase: LoadPhase, bytesDone: number, bytesTotal: number, traffic = this.traffic): void {
    this.traffic = traffic;
    this.emit({ phase, bytesDone, bytesTotal, bytesPerSecond: this.rate(bytesDone), ...traffic });
  }

  /** A read of the load stalled: say so now, and in every event until bytes flow again. */
  stall(s: { url: string; range: string; stalls: number; stallMs: number }): void {
    this.stalled = { url: s.url, range: s.range, stalls: s.stalls, stallMs: s.stallMs };
    const p = this.last ?? { phase: 'download' as LoadPhase, bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, ...this.traffic };
    this.emit({ ...p, bytesPerSecond: 0 });
  }

  /** A step of the download: `download` while bytes come from the network, `cache-read` while they come from the device. */
  tick(traffic: { fromNetwork: number; fromCache: number }, bytesDone: number, bytesTotal: number): void {
    if (this.networkAtStart < 0) this.networkAtStart = traffic.fromNetwork;
    this.traffic = traffic;
    const t = this.now();
    const rate = this.rate(bytesDone);
    if (bytesDone < bytesTotal && t - this.lastEmit < MIN_INTERVAL_MS) return;
    this.lastEmit = t;
    const phase: LoadPhase = traffic.fromNetwork > this.networkAtStart ? 'download' : 'cache-read';
    this.emit({ phase, bytesDone, bytesTotal, bytesPerSecond: rate, ...traffic });
  }

  private rate(bytesDone: number): number {
    const t = this.now();
    this.samples.push([t, bytesDone]);
    while (this.samples.length > 2 && t - this.samples[0][0] > RATE_WINDOW_MS) this.samples.shift();
    const [t0, b0] = this.samples[0];
    return t > t0 ? ((bytesDone - b0) * 1000) / (t - t0) : 0;
  }

  private emit(p: LoadProgress): void {
    if (this.stalled && p.fromNetwork > (this.last?.fromNetwork ?? 0)) this.stalled = undefined;
    if (this.stalled) p = { ...p, stalled: this.stalled };
    this.last = p;
    try {
      this.onProgress?.(p);
    } catch {
      /* a throwing progress callback must not break the load */
    }
  }
}
