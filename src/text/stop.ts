/**
 * StopMatcher: stop strings found in streamed text, across token boundaries.
 * Text that could be the beginning of a stop string is held back until it is
 * known not to be; the stop string itself (and anything after it) is never emitted.
 */
export interface StopResult {
  /** Text now safe to show. */
  text: string;
  /** A stop string was found: `text` ends right before it, and nothing more should follow. */
  stopped: boolean;
  /** The stop string found (when stopped). */
  stop?: string;
}

export class StopMatcher {
  private readonly stops: string[];
  private held = '';
  private done = false;

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  push(text: string): StopResult {
    if (this.done) return { text: '', stopped: true };
    const buf = this.held + text;
    let at = -1;
    let which = '';
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        which = s;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { text: buf.slice(0, at), stopped: true, stop: which };
    }
    // keep the longest tail of buf that some stop string starts with
    let keep = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > keep; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** The held-back text at the end of a stream with no stop ('' after a stop). */
  flush(): string {
    const t = this.done ? '' : this.held;
    this.held = '';
    return t;
  }

  get stopped(): boolean {
    return this.done;
  }
}
