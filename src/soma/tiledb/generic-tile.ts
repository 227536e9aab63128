/** Generic tiles: the self-describing container of schemas, metadata, groups and fragment-metadata sections. */
import { FormatError, UnsupportedFeatureError } from "../../errors.js";
import { Reader } from "./bytes.js";
import { readPipeline, unfilterTile } from "./filters.js";

export interface GenericTile {
  version: number;
  datatype: number;
  /** The unfiltered payload. */
  data: Uint8Array;
  /** Bytes this tile occupies in its file (header + pipeline + persisted data). */
  totalSize: number;
}

/** Decodes the generic tile starting at `offset` of `bytes`. */
export function readGenericTile(bytes: Uint8Array, where: string, offset = 0): GenericTile {
  const r = new Reader(bytes, where, offset);
  const version = r.u32();
  const persisted = r.u64();
  const tileSize = r.u64();
  const datatype = r.u8();
  const cellSize = r.u64();
  const encryption = r.u8();
  if (encryption !== 0)
    throw new UnsupportedFeatureError(
      `encrypted TileDB objects are not supported (encryption type ${encryption})`,
      {
        path: where,
      },
    );
  const pipelineSize = r.u32();
  const pipeEnd = r.pos + pipelineSize;
  const pipeline = readPipeline(r);
  r.pos = pipeEnd;
  const body = r.bytesView(persisted);
  const data = unfilterTile(pipeline, body, {
    type: datatype,
    cellSize: cellSize || 1,
    version,
    path: where,
  });
  if (data.byteLength !== tileSize)
    throw new FormatError(`generic tile decoded to ${data.byteLength} bytes, header says ${tileSize}`, {
      path: where,
    });
  return { version, datatype, data, totalSize: r.pos - offset };
}
