/**
 * Random single-row reads of an .h5ad's X through h5wasm and through the direct HDF5 reader.
 *   npx tsx benchmarks/hdf5-direct.ts FILE [ROWS=256] [ROUNDS=3]
 * CSR X: indptr lookup, then the row's data and indices slices. Dense X: one row slice.
 */
import h5wasm from "h5wasm/node";
import { Hdf5File } from "../src/h5ad/hdf5/index.js";
import { LocalFileSource } from "../src/io/local.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx benchmarks/hdf5-direct.ts FILE [ROWS] [ROUNDS]");
  process.exit(2);
}
const nRows = Number(process.argv[3] ?? 256);
const rounds = Number(process.argv[4] ?? 3);

const h5 = await h5wasm.ready;
const pluginsName = "h5wasm-plugins";
((await import(pluginsName)) as { install_local_plugins(m: unknown): void }).install_local_plugins(h5);

const ref = new h5wasm.File(file, "r");
const source = new LocalFileSource(file);
const direct = await Hdf5File.open(source);

const x = ref.get("X");
const sparse = x instanceof h5wasm.Group;
const shape = sparse
  ? (ref.get("X/indptr") as InstanceType<typeof h5wasm.Dataset>).shape?.[0]
  : (x as InstanceType<typeof h5wasm.Dataset>).shape?.[0];
const totalRows = sparse ? (shape as number) - 1 : (shape as number);

let seed = 12345;
const rand = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

type Row = { values: ArrayLike<number | bigint>; cols?: ArrayLike<number | bigint> };

function h5wasmRow(r: number): Row {
  if (!sparse)
    return {
      values: (ref.get("X") as InstanceType<typeof h5wasm.Dataset>).slice([[r, r + 1]]) as Float32Array,
    };
  const indptr = (ref.get("X/indptr") as InstanceType<typeof h5wasm.Dataset>).slice([
    [r, r + 2],
  ]) as Int32Array;
  const a = Number(indptr[0]);
  const b = Number(indptr[1]);
  const data = (ref.get("X/data") as InstanceType<typeof h5wasm.Dataset>).slice([[a, b]]) as Float32Array;
  const cols = (ref.get("X/indices") as InstanceType<typeof h5wasm.Dataset>).slice([[a, b]]) as Int32Array;
  return { values: data, cols };
}

const [dIndptr, dData, dIndices, dDense] = sparse
  ? await Promise.all([
      direct.dataset("X/indptr"),
      direct.dataset("X/data"),
      direct.dataset("X/indices"),
      null,
    ])
  : [null, null, null, await direct.dataset("X")];
if (sparse ? !dIndptr || !dData || !dIndices : !dDense)
  throw new Error("the direct reader does not support this X");

async function directRow(r: number): Promise<Row> {
  if (!sparse) return { values: await (dDense as NonNullable<typeof dDense>).read(r, r + 1) };
  const indptr = await (dIndptr as NonNullable<typeof dIndptr>).read(r, r + 2);
  const a = indptr[0] as number;
  const b = indptr[1] as number;
  const [values, cols] = await Promise.all([
    (dData as NonNullable<typeof dData>).read(a, b),
    (dIndices as NonNullable<typeof dIndices>).read(a, b),
  ]);
  return { values, cols };
}

function same(p: Row, q: Row): boolean {
  const eq = (u: ArrayLike<number | bigint>, v: ArrayLike<number | bigint>) =>
    u.length === v.length && Array.from(u).every((e, i) => Number(e) === Number(v[i]));
  return eq(p.values, q.values) && (p.cols === undefined || q.cols === undefined || eq(p.cols, q.cols));
}

console.log(
  `${file}: X ${sparse ? "CSR" : "dense"}, ${totalRows} rows; ${nRows} random rows x ${rounds} rounds`,
);
for (let round = 0; round < rounds; round++) {
  const rows = Array.from({ length: nRows }, () => Math.floor(rand() * totalRows));
  let t = performance.now();
  const viaH5wasm = rows.map(h5wasmRow);
  const h5wasmMs = performance.now() - t;
  t = performance.now();
  const viaDirect: Row[] = [];
  for (const r of rows) viaDirect.push(await directRow(r));
  const directMs = performance.now() - t;
  t = performance.now();
  const concurrent = await Promise.all(rows.map(directRow));
  const concurrentMs = performance.now() - t;
  const ok = rows.every(
    (_, i) =>
      same(viaH5wasm[i] as Row, viaDirect[i] as Row) && same(viaH5wasm[i] as Row, concurrent[i] as Row),
  );
  if (!ok) throw new Error("direct reader and h5wasm disagree");
  const rate = (ms: number) => Math.round((nRows / ms) * 1000).toLocaleString("en-US");
  console.log(
    `round ${round + 1}: h5wasm ${rate(h5wasmMs)} rows/s | direct (sequential awaits) ${rate(directMs)} rows/s | direct (concurrent) ${rate(concurrentMs)} rows/s`,
  );
}
ref.close();
await source.close();
