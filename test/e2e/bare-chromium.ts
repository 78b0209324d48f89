/**
 * A Chromium driven the way a person's browser runs: no DevTools domain but
 * `Runtime` is ever enabled. Playwright enables `Network` on every page and
 * worker, and Chromium's network inspector then keeps a copy of response
 * bodies in the renderer (up to ~200 MB by default): a model downloaded under
 * Playwright leaves about its own size behind in the renderer's private memory
 * (docs/memory.md). So the memory test launches Chromium itself, speaks CDP
 * over `--remote-debugging-pipe`, and only evaluates expressions in the page.
 *
 * The profile is on disk (a temporary user-data-dir): off the record, OPFS and
 * IndexedDB would live in the browser's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser-launch.ts';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class BareChromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';

  private constructor(
    readonly proc: ChildProcess,
    private readonly dir: string,
  ) {
    const out = proc.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (text: string) => {
      this.buffered += text;
      for (let i = this.buffered.indexOf('\0'); i >= 0; i = this.buffered.indexOf('\0')) {
        const msg = JSON.parse(this.buffered.slice(0, i)) as { id?: number; result?: unknown; error?: { message: string } };
        this.buffered = this.buffered.slice(i + 1);
        const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id!);
        if (msg.error) p.reject(new Error(msg.error.message));
        else p.resolve(msg.result);
      }
    });
  }

  static async launch(): Promise<BareChromium> {
    const dir = mkdtempSync(join(tmpdir(), 'gguf-pager-bare-'));
    const proc = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--headless', '--remote-debugging-pipe', `--user-data-dir=${dir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const b = new BareChromium(proc, dir);
    await b.send('Browser.getVersion');
    return b;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    const input = this.proc.stdio[3] as Writable;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  /** Opens `url` in a new tab of the default (on-disk) profile. */
  async open(url: string): Promise<BarePage> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new BarePage(this, sessionId, targetId);
    await page.waitFor(`location.href !== 'about:blank' && document.readyState === 'complete'`, 30_000);
    return page;
  }

  async close(): Promise<void> {
    await this.send('Browser.close').catch(() => undefined);
    if (this.proc.exitCode === null)
      await new Promise((ok) => {
        this.proc.once('exit', ok);
        setTimeout(() => {
          this.proc.kill('SIGKILL');
          ok(undefined);
        }, 5000);
      });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class BarePage {
  constructor(
    private readonly b: BareChromium,
    readonly sessionId: string,
    readonly targetId: string,
  ) {}

  /** Evaluates `expression` in the page (promises awaited); its value, JSON-serializable. */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.b.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      this.sessionId,
    );
    if (r.exceptionDetails) throw new Error(`in page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /** Polls `expression` every 100 ms until it is truthy; returns its value. */
  async waitFor<T = unknown>(expression: string, timeoutMs: number): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.eval<T>(expression).catch(() => undefined);
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }

  async navigate(url: string): Promise<void> {
    await this.b.send('Page.navigate', { url }, this.sessionId);
    await new Promise((ok) => setTimeout(ok, 200));
    await this.waitFor('document.readyState === "complete"', 30_000);
  }

  async close(): Promise<void> {
    await this.b.send('Target.closeTarget', { targetId: this.targetId });
  }
}
