/**
 * The one place that makes typed-array views over the Wasm memory. The core
 * never grows its memory after init, but a view is still made fresh for each
 * call so a caller never holds one across a (hypothetical) detach.
 */
type ViewCtor<T> = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T;

export function view<T>(memory: WebAssembly.Memory, ctor: ViewCtor<T>, ptr: number, length: number): T {
  return new ctor(memory.buffer, ptr, length);
}

export const bytesAt = (m: WebAssembly.Memory, ptr: number, length: number): Uint8Array => view(m, Uint8Array, ptr, length);
export const f32At = (m: WebAssembly.Memory, ptr: number, length: number): Float32Array => view(m, Float32Array, ptr, length);
export const u16At = (m: WebAssembly.Memory, ptr: number, length: number): Uint16Array => view(m, Uint16Array, ptr, length);
export const u32At = (m: WebAssembly.Memory, ptr: number, length: number): Uint32Array => view(m, Uint32Array, ptr, length);
