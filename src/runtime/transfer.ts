/**
 * comlink forwards only `message`, `name` and `stack` of a thrown error. This
 * wraps its built-in "throw" handler so a GgufPagerError keeps its `code` and
 * `details` across the worker boundary. Both sides call `installErrorTransfer()`.
 */
import * as Comlink from 'comlink';
import { GgufPagerError, type ErrorCode } from '../errors.ts';

interface WireError {
  isError: true;
  value: { name: string; message: string; stack?: string; code?: ErrorCode; details?: Record<string, unknown> };
}

let installed = false;

/** Keeps only values a structured clone can carry (numbers, strings, plain data). */
function cloneable(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    try {
      out[k] = structuredClone(v);
    } catch {
      out[k] = String(v);
    }
  }
  return out;
}

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<unknown, unknown>;
  Comlink.transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown: unknown) {
      const value = (thrown as { value: unknown }).value;
      if (value instanceof GgufPagerError) {
        const wire: WireError = {
          isError: true,
          value: { name: value.name, message: value.message, stack: value.stack, code: value.code, details: cloneable(value.details) },
        };
        return [wire, []];
      }
      return base.serialize(thrown);
    },
    deserialize(wire: unknown) {
      const w = wire as WireError;
      if (w?.isError && w.value?.name === 'GgufPagerError' && w.value.code) {
        const e = new GgufPagerError(w.value.code, w.value.message, w.value.details ?? {});
        if (w.value.stack) e.stack = `${e.stack}\n--- in worker ---\n${w.value.stack}`;
        throw e;
      }
      return base.deserialize(wire);
    },
  } as Comlink.TransferHandler<unknown, unknown>);
}
