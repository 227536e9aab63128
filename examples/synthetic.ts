/**
 * Writes a small synthetic single-cell collection with cellfeed's writer, so the examples run on a
 * fresh machine with no download. Each cell type raises its own marker genes; files share only part
 * of their genes (the third lists its genes in shuffled order) and cell types are imbalanced.
 *
 *   npx tsx examples/synthetic.ts data/demo
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeH5ad } from "cellfeed";
import seedrandom from "seedrandom";

export const CELL_TYPES = ["B", "CD4 T", "CD8 T", "Mono", "NK", "pDC"];
const TYPE_WEIGHTS = [0.3, 0.25, 0.2, 0.15, 0.07, 0.03];
const UNIVERSE = 400; // genes in all
const GENES_PER_FILE = 320;
const MARKERS_PER_TYPE = 6;

export interface SyntheticOptions {
  files?: number;
  cellsPerFile?: number;
  seed?: string;
}

function poisson(rng: () => number, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Writes `files` h5ad files into `dir` and returns their paths. */
export async function writeSyntheticCollection(
  dir: string,
  options: SyntheticOptions = {},
): Promise<string[]> {
  const files = options.files ?? 3;
  const cellsPerFile = options.cellsPerFile ?? 4000;
  const rng = seedrandom(options.seed ?? "cellfeed-demo");
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    // Genes of this file: a window of the universe, shifted per file; the third file shuffles them.
    const start = (f * 40) % (UNIVERSE - GENES_PER_FILE + 1);
    const genes = Array.from({ length: GENES_PER_FILE }, (_, k) => start + k);
    if (f % 3 === 2) {
      for (let i = genes.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [genes[i], genes[j]] = [genes[j]!, genes[i]!];
      }
    }
    const indptr = new Int32Array(cellsPerFile + 1);
    const indices: number[] = [];
    const data: number[] = [];
    const labels: string[] = [];
    for (let c = 0; c < cellsPerFile; c++) {
      let u = rng();
      let t = 0;
      while (t < TYPE_WEIGHTS.length - 1 && u >= TYPE_WEIGHTS[t]!) u -= TYPE_WEIGHTS[t++]!;
      labels.push(CELL_TYPES[t]!);
      const row: [number, number][] = [];
      genes.forEach((g, col) => {
        // Markers of type t are genes t*MARKERS..(t+1)*MARKERS-1 (+ 60, so every file has them).
        const isMarker = g >= 60 + t * MARKERS_PER_TYPE && g < 60 + (t + 1) * MARKERS_PER_TYPE;
        const value = isMarker ? poisson(rng, 0.9) : rng() < 0.1 ? poisson(rng, 1) : 0;
        if (value > 0) row.push([col, value]);
      });
      row.sort((a, b) => a[0] - b[0]);
      for (const [col, value] of row) {
        indices.push(col);
        data.push(value);
      }
      indptr[c + 1] = indices.length;
    }
    const path = join(dir, `part${f}.h5ad`);
    await writeH5ad(path, {
      X: {
        format: "csr",
        shape: [cellsPerFile, genes.length],
        indptr,
        indices: Int32Array.from(indices),
        data: Float32Array.from(data),
      },
      obs: {
        index: labels.map((_, c) => `f${f}_cell${c}`),
        columns: {
          cell_type: { kind: "categorical", values: labels },
          batch: { kind: "categorical", values: labels.map(() => `batch${f}`) },
        },
      },
      var: { index: genes.map((g) => `GENE${String(g).padStart(4, "0")}`) },
    });
    paths.push(path);
  }
  return paths;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? "data/demo";
  const paths = await writeSyntheticCollection(dir);
  for (const p of paths) console.log(`wrote ${p}`);
}
