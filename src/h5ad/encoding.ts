/**
 * anndata's `encoding-type` / `encoding-version` attributes, and the versions this reader knows.
 * Files from before anndata 0.8 carry no attributes (or only some); they are read by structure.
 */
import { UnknownEncodingError } from "../errors.js";
import { toStringScalar } from "./convert.js";
import type { H5Context } from "./h5context.js";

export interface Encoding {
  type: string;
  version: string;
}

/** The versions of each encoding type that cellfeed reads. */
export const KNOWN_ENCODINGS: Readonly<Record<string, readonly string[]>> = {
  anndata: ["0.1.0"],
  raw: ["0.1.0"],
  dict: ["0.1.0"],
  dataframe: ["0.1.0", "0.2.0"],
  array: ["0.2.0"],
  csr_matrix: ["0.1.0"],
  csc_matrix: ["0.1.0"],
  categorical: ["0.2.0"],
  "string-array": ["0.2.0"],
  "nullable-integer": ["0.1.0"],
  "nullable-boolean": ["0.1.0"],
  "nullable-string-array": ["0.1.0"],
};

/** The node's encoding, or null when it has no `encoding-type` attribute. */
export function encodingOf(ctx: H5Context, p: string): Encoding | null {
  const type = toStringScalar(ctx.attr(p, "encoding-type"));
  if (type === undefined) return null;
  const version = toStringScalar(ctx.attr(p, "encoding-version")) ?? "";
  return { type, version };
}

/**
 * Throws UnknownEncodingError unless the node's encoding is one of `allowed` at a known version.
 * Returns the encoding (null for attribute-less legacy nodes).
 */
export function expectEncoding(
  ctx: H5Context,
  p: string,
  allowed: readonly string[],
  column?: string,
): Encoding | null {
  const enc = encodingOf(ctx, p);
  if (enc === null) return null;
  const versions = KNOWN_ENCODINGS[enc.type];
  if (!allowed.includes(enc.type) || versions === undefined) {
    throw new UnknownEncodingError(
      `unknown encoding-type '${enc.type}' (version '${enc.version}'); expected ${allowed.map((a) => `'${a}'`).join(" or ")}`,
      { path: ctx.path, dataset: p, ...(column === undefined ? {} : { column }) },
    );
  }
  if (!versions.includes(enc.version)) {
    throw new UnknownEncodingError(
      `unknown encoding-version '${enc.version}' of encoding-type '${enc.type}'; known: ${versions.join(", ")}`,
      { path: ctx.path, dataset: p, ...(column === undefined ? {} : { column }) },
    );
  }
  return enc;
}
