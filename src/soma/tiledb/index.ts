/** Read-only TileDB format reader (pure TypeScript) over a `ByteStore`. */
export { type OpenOptions, openArray, type ReadRequest, type TileDBArray } from "./array.js";
export { type Column, columnValues } from "./columns.js";
export { Datatype, datatypeName } from "./datatypes.js";
export { type GroupMember, type ObjectType, objectType, openGroup, type TileDBGroup } from "./group.js";
export type { MetadataValue } from "./metadata.js";
export type { RangeInput, RangesInput } from "./ranges.js";
export type { ArraySchema, Attribute, Dimension, Enumeration } from "./schema.js";
export { DEFAULT_TILE_CACHE_BYTES, TileCache, type TileCacheStats } from "./tile-cache.js";
