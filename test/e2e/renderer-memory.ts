/**
 * Memory as a person sees it (TOOLCHAIN.md): the private, anonymous memory of
 * the renderer processes of one Chromium we launched, read from Linux's /proc
 * (sum of `RssAnon` of the `--type=renderer` processes in the browser's process
 * tree; a dedicated worker runs inside its page's renderer). Chrome's task
 * manager shows about the same figure. Sampled every 200 ms. The browser is
 * launched by bare-chromium.ts (not by Playwright: see there why).
 */
import { readFileSync, readdirSync } from 'node:fs';

export const SAMPLE_MS = 200;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every descendant pid of `root` (its threads' children included). */
export function processTree(root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      for (const c of (read(`/proc/${pid}/task/${t}/children`) ?? '').split(/\s+/)) if (c) stack.push(Number(c));
    }
  }
  return out;
}

/** `RssAnon` of one process in bytes (0 when it is gone). */
export function rssAnon(pid: number): number {
  const m = /RssAnon:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

/** Sum of RssAnon over the renderer processes under the browser `root`, and their count. */
export function rendererPrivateBytes(root: number): { bytes: number; renderers: number } {
  let bytes = 0;
  let renderers = 0;
  for (const pid of processTree(root)) {
    const cmd = read(`/proc/${pid}/cmdline`);
    if (!cmd?.includes('--type=renderer')) continue;
    // Extensions and spare renderers hold a few MiB each; they are part of what the task manager shows too.
    bytes += rssAnon(pid);
    renderers++;
  }
  return { bytes, renderers };
}

/** Samples the renderers' private memory every SAMPLE_MS until stopped. */
export class MemorySampler {
  readonly samples: Array<{ t: number; bytes: number }> = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly t0 = Date.now();

  constructor(private readonly pid: number) {}

  now(): number {
    return rendererPrivateBytes(this.pid).bytes;
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    return this;
  }

  /** Takes one more sample and stops. */
  stop(): this {
    clearInterval(this.timer);
    this.sample();
    return this;
  }

  get peak(): number {
    return this.samples.reduce((a, s) => Math.max(a, s.bytes), 0);
  }

  get last(): number {
    return this.samples.at(-1)?.bytes ?? 0;
  }

  private sample(): void {
    this.samples.push({ t: Date.now() - this.t0, bytes: this.now() });
  }
}

export const MiB = 2 ** 20;
export const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
