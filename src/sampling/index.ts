/**
 * Pure index maths: seeded random streams and samplers that turn a row count (or weights) into an
 * epoch's order of row indices. No I/O.
 */
export { AliasTable } from "./alias.js";
export { BatchSampler, epochBatches } from "./batch.js";
export { BlockShuffleSampler, type BlockShuffleSamplerOptions } from "./block-shuffle.js";
export { DistributedSampler, type DistributedSamplerOptions } from "./distributed.js";
export { RandomSampler, type RandomSamplerOptions } from "./random.js";
export { Rng, type RngKey, rngFor, streamSeed } from "./rng.js";
export { SequentialSampler } from "./sequential.js";
export {
  allocIndices,
  EpochSampler,
  type IndexArray,
  iota,
  MAX_INT32_INDEX,
  type Sampler,
  type Seed,
} from "./types.js";
export { WeightedRandomSampler, type WeightedRandomSamplerOptions } from "./weighted.js";
export { checkWeights } from "./weights.js";
