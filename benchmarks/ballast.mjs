/**
 * Grows the main thread's heap by ~40 MB of small live objects, to show how much the main thread's
 * heap size costs the DataLoader without recycling (benchmarks/RESULTS.md, session 2):
 *
 *   node --import ./benchmarks/ballast.mjs dist/cli/main.js bench data/bench3x50k/*.h5ad --workers 2 --sampler block --seconds 6
 *
 * BALLAST=N sets the number of objects (default 300,000).
 */
globalThis.__cellfeedBallast = Array.from({ length: Number(process.env.BALLAST ?? 300_000) }, (_, i) => ({
  i,
  s: `x${i}`,
  t: [i],
}));
