/** The default file opener: the h5ad reader. */
import { openH5ad } from "../h5ad/index.js";
import type { StoreOpener } from "./types.js";

export const defaultOpener: StoreOpener = (path, options) => openH5ad(path, options);
