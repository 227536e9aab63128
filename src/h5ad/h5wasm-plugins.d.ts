// h5wasm-plugins ships no type declarations; this is the one function cellfeed uses.
declare module "h5wasm-plugins" {
  /** Adds the package's bundled plugin folder (LZF, zstd, blosc, ...) to HDF5's plugin search path. */
  export function install_local_plugins(h5wasmModule: unknown): void;
}
