/**
 * Starting one compute worker: Node's worker_threads (from source text, eval)
 * or a browser module-less Worker from a Blob URL of the same text. Either
 * way the worker runs computeWorkerMain and nothing else.
 */
import { computeWorkerMain } from './worker-main.ts';

export interface ComputeWorker {
  post(message: unknown): void;
  /** The worker's first answer ({ ready } or { error }). */
  onMessage(cb: (m: { ready?: boolean; error?: string }) => void): void;
  /** The worker failed or exited; called at most once. */
  onFailure(cb: (why: string) => void): void;
  terminate(): void;
}

const source = (node: boolean): string => `(${computeWorkerMain.toString()})(${node});\n`;

interface NodeWorker {
  postMessage(m: unknown): void;
  on(ev: string, f: (x: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; document?: unknown; WorkerGlobalScope?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

export function spawnComputeWorker(name: string): ComputeWorker {
  return isNode() ? nodeWorker(name) : browserWorker(name);
}

function nodeWorker(name: string): ComputeWorker {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as { Worker: new (src: string, o: object) => NodeWorker } | undefined;
  if (!wt) throw new Error('node:worker_threads is not available (Node 20.16 or later is needed)');
  const w = new wt.Worker(source(true), { eval: true, name });
  w.unref(); // an idle pool never keeps the process alive
  let failed = false;
  return {
    post: (m) => w.postMessage(m),
    onMessage: (cb) => w.on('message', (m) => cb(m as { ready?: boolean; error?: string })),
    onFailure: (cb) => {
      const fail = (why: string): void => {
        if (!failed) {
          failed = true;
          cb(why);
        }
      };
      w.on('error', (e) => fail(`${name} failed: ${String(e)}`));
      w.on('exit', (code) => fail(`${name} exited (code ${String(code)})`));
    },
    terminate: () => {
      failed = true;
      void w.terminate();
    },
  };
}

function browserWorker(name: string): ComputeWorker {
  const url = URL.createObjectURL(new Blob([source(false)], { type: 'text/javascript' }));
  const w = new Worker(url, { name });
  const revoke = (): void => URL.revokeObjectURL(url); // once the script has run (or failed to)
  let failed = false;
  return {
    post: (m) => w.postMessage(m),
    onMessage: (cb) =>
      w.addEventListener('message', (e) => {
        revoke();
        cb(e.data as { ready?: boolean; error?: string });
      }),
    onFailure: (cb) => {
      const fail = (why: string): void => {
        if (!failed) {
          failed = true;
          cb(why);
        }
      };
      w.addEventListener('error', (e) => {
        e.preventDefault();
        revoke();
        fail(`${name} failed: ${e.message || 'the worker script did not run'}`);
      });
      w.addEventListener('messageerror', () => fail(`${name}: a message could not be read`));
    },
    terminate: () => {
      failed = true;
      revoke();
      w.terminate();
    },
  };
}
