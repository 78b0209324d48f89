// The `?url` import of the core module (Vite answers it; Node never evaluates it).
declare module '*.wasm?url' {
  const url: string;
  export default url;
}
