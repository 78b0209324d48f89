/**
 * Opened sources shared between the loaded models that read the same input:
 * one URL loaded under two policies is two pagers over one CachedSource (an
 * on-device cache entry can be open only once per origin). Reference counted;
 * the sources close when the last model using them is disposed.
 */
import type { OpenedSources } from './open-sources.ts';

interface Entry {
  opened: Promise<OpenedSources>;
  refs: number;
}

export interface SourceRef {
  opened: OpenedSources;
  /** True while this is the only reference to the sources. */
  readonly sole: boolean;
  /** Idempotent. */
  release(): Promise<void>;
}

export class SourcePool {
  private readonly entries = new Map<string, Entry>();

  /** Stops sharing the sources of `key`: the next acquire opens them again (current holders keep theirs). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  async acquire(key: string, open: () => Promise<OpenedSources>): Promise<SourceRef> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { opened: open(), refs: 0 };
      this.entries.set(key, entry);
      const e = entry;
      e.opened.catch(() => this.entries.get(key) === e && this.entries.delete(key));
    }
    entry.refs++;
    let opened: OpenedSources;
    try {
      opened = await entry.opened;
    } catch (err) {
      entry.refs--;
      throw err;
    }
    let released = false;
    return {
      opened,
      get sole() {
        return entry.refs === 1 && !released;
      },
      release: async () => {
        if (released) return;
        released = true;
        if (--entry.refs > 0) return;
        if (this.entries.get(key) === entry) this.entries.delete(key);
        await opened.close();
      },
    };
  }

  /** Inputs open now. */
  get size(): number {
    return this.entries.size;
  }
}
