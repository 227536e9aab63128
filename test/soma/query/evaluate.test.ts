import {
  Binary,
  Bool,
  DateDay,
  Dictionary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  makeData,
  makeVector,
  Table,
  TimestampMillisecond,
  Uint8,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { FilterSyntaxError } from "../../../src/errors.js";
import { compileValueFilter, filterTable, maskToIndices } from "../../../src/soma/query/index.js";
import { column, dictColumn } from "./arrow-helpers.js";

/** A Census-like obs table. `null` = missing. */
interface Row {
  tissue: string | null;
  cell_type: string | null;
  suspension_type: string;
  assay: string;
  sex: string | null;
  is_primary_data: boolean;
  nnz: bigint;
  raw_sum: number;
  orig: string | null;
  stage: string | null;
  u8: number;
  i16: number;
  f32: number;
  ts: bigint;
  flag: boolean | null;
}

const V3 = "10x 3' v3";
const V5 = "10x 5' v1";
// biome-ignore format: one row per line reads best
const ROWS: Row[] = [
  { tissue: "brain", cell_type: "neuron", suspension_type: "cell", assay: V3, sex: "female", is_primary_data: true, nnz: 600n, raw_sum: 5000, orig: "GSM4601695", stage: "adult", u8: 1, i16: -5, f32: 0.1, ts: 1000n, flag: true },
  { tissue: "brain", cell_type: "microglial cell", suspension_type: "cell", assay: V3, sex: "male", is_primary_data: false, nnz: 450n, raw_sum: 12000, orig: "GSM1", stage: "child", u8: 2, i16: 300, f32: 0.5, ts: 2000n, flag: false },
  { tissue: "lung", cell_type: "T cell", suspension_type: "nucleus", assay: V5, sex: "female", is_primary_data: true, nnz: 5000n, raw_sum: 9999.5, orig: null, stage: "embryo", u8: 3, i16: -300, f32: 1.5, ts: 3000n, flag: null },
  { tissue: "lung", cell_type: "neuron", suspension_type: "cell", assay: V3, sex: null, is_primary_data: true, nnz: 4999n, raw_sum: Number.NaN, orig: "GSM4601695", stage: "adult", u8: 255, i16: 0, f32: -0.25, ts: 4000n, flag: true },
  { tissue: null, cell_type: "neuron", suspension_type: "cell", assay: V3, sex: "female", is_primary_data: false, nnz: 0n, raw_sum: 0, orig: "GSM2", stage: null, u8: 0, i16: 32767, f32: 2, ts: 5000n, flag: false },
  { tissue: "blood", cell_type: null, suspension_type: "cell", assay: V5, sex: "male", is_primary_data: true, nnz: -1n, raw_sum: 1e4, orig: null, stage: "child", u8: 7, i16: -32768, f32: 0.1, ts: -1000n, flag: true },
  { tissue: "brain", cell_type: "T cell", suspension_type: "nucleus", assay: V3, sex: "unknown", is_primary_data: true, nnz: 500n, raw_sum: 10000.0001, orig: "GSM4601695", stage: "adult", u8: 8, i16: 1, f32: 0.3, ts: 0n, flag: null },
  { tissue: "brain", cell_type: "neuron", suspension_type: "cell", assay: V5, sex: "female", is_primary_data: false, nnz: 1_000_000n, raw_sum: 5e6, orig: "GSM1", stage: "embryo", u8: 9, i16: 2, f32: 0.1, ts: 123456789n, flag: false },
  { tissue: "lung", cell_type: "microglial cell", suspension_type: "cell", assay: V3, sex: "male", is_primary_data: true, nnz: 5n, raw_sum: 5.7, orig: "GSM2", stage: "adult", u8: 10, i16: 3, f32: 7, ts: 10n, flag: true },
  { tissue: "lung", cell_type: "neuron", suspension_type: "nucleus", assay: V3, sex: "female", is_primary_data: true, nnz: 6n, raw_sum: -3, orig: null, stage: "child", u8: 11, i16: 4, f32: 8, ts: 20n, flag: true },
];
const STAGES = ["embryo", "child", "adult"];

function obsTable(rows: readonly Row[]): Table {
  const col = <K extends keyof Row>(k: K) => rows.map((r) => r[k]);
  const tissues = ["brain", "lung", "blood", "eye"];
  return new Table({
    tissue: dictColumn(col("tissue"), tissues),
    tissue_general: dictColumn(col("tissue"), tissues),
    cell_type: dictColumn(col("cell_type"), ["neuron", "T cell", "microglial cell", "B cell"]),
    suspension_type: dictColumn(col("suspension_type"), ["cell", "nucleus"]),
    assay: dictColumn(col("assay"), [V3, V5]),
    sex: dictColumn(col("sex"), ["female", "male", "unknown"]),
    is_primary_data: column(col("is_primary_data"), new Bool()),
    nnz: column(col("nnz"), new Int64()),
    raw_sum: column(col("raw_sum"), new Float64()),
    "orig.ident": column(col("orig"), new Utf8()),
    stage: dictColumn(col("stage"), STAGES, true),
    u8: column(col("u8"), new Uint8()),
    i16: column(col("i16"), new Int16()),
    f32: column(col("f32"), new Float32()),
    ts: column(
      rows.map((r) => Number(r.ts)),
      new TimestampMillisecond(),
    ),
    flag: column(col("flag"), new Bool()),
    soma_joinid: column(
      rows.map((_, i) => BigInt(i)),
      new Int64(),
    ),
    bin: column(
      rows.map(() => new Uint8Array([1])),
      new Binary(),
    ),
  });
}

const TABLE = obsTable(ROWS);
const oneOf = (v: string | null, set: string[]) => v !== null && set.includes(v);
const stageIdx = (r: Row) => (r.stage === null ? -1 : STAGES.indexOf(r.stage));

// Each filter with an independent JS predicate over the rows (a null never equals a string).
const CASES: [string, (r: Row, i: number) => boolean][] = [
  // §2.3 examples
  [
    `tissue == "brain" and cell_type in ["microglial cell", "neuron"] and suspension_type == "cell" and assay == "10x 3' v3"`,
    (r) =>
      r.tissue === "brain" &&
      oneOf(r.cell_type, ["microglial cell", "neuron"]) &&
      r.suspension_type === "cell" &&
      r.assay === V3,
  ],
  ["is_primary_data == True", (r) => r.is_primary_data],
  ["tissue_general == 'lung' and is_primary_data == True", (r) => r.tissue === "lung" && r.is_primary_data],
  [`cell_type != "neuron"`, (r) => r.cell_type !== null && r.cell_type !== "neuron"],
  [
    `cell_type not in ["neuron", "T cell"]`,
    (r) => r.cell_type !== null && !oneOf(r.cell_type, ["neuron", "T cell"]),
  ],
  [`sex == "female" or sex == "male"`, (r) => r.sex === "female" || r.sex === "male"],
  [
    `(tissue == "brain" or tissue == "lung") and is_primary_data == True`,
    (r) => (r.tissue === "brain" || r.tissue === "lung") && r.is_primary_data,
  ],
  [`(tissue == "brain") & (sex == "female")`, (r) => r.tissue === "brain" && r.sex === "female"],
  [`(tissue == "brain") | (tissue == "lung")`, (r) => r.tissue === "brain" || r.tissue === "lung"],
  ["nnz > 500 and raw_sum <= 1e4", (r) => r.nnz > 500n && r.raw_sum <= 1e4],
  ["500 <= nnz < 5000", (r) => r.nnz >= 500n && r.nnz < 5000n],
  [
    `not (cell_type == "neuron" or cell_type == "T cell")`,
    (r) => r.cell_type !== null && r.cell_type !== "neuron" && r.cell_type !== "T cell",
  ],
  [`attr("orig.ident") == "GSM4601695"`, (r) => r.orig === "GSM4601695"],
  [`"brain" == tissue`, (r) => r.tissue === "brain"],
  ["nnz >= -1", (r) => r.nnz >= -1n],
  [`tissue == val("brain")`, (r) => r.tissue === "brain"],
  [`attr("orig.ident") != None`, (r) => r.orig !== null],
  [`cell_type in ["neuron", "astrocyte"]`, (r) => r.cell_type === "neuron"],
  [`tissue == "kidney"`, () => false],
  // enumerations: unknown labels, nulls, ordered categories
  [`tissue != "kidney"`, () => true], // ALWAYS_TRUE: nulls included
  [`not tissue == "kidney"`, () => true],
  [`tissue == "kidney" or nnz == 0`, (r) => r.nnz === 0n],
  [`tissue == "eye"`, () => false], // a level nobody uses
  [`tissue != "eye"`, (r) => r.tissue !== null],
  [`cell_type in ["astrocyte"]`, () => false],
  [`cell_type not in ["astrocyte"]`, (r) => r.cell_type !== null],
  [`not cell_type == "neuron"`, (r) => r.cell_type !== null && r.cell_type !== "neuron"],
  [`tissue == None`, (r) => r.tissue === null],
  [`tissue != None`, (r) => r.tissue !== null],
  [`not tissue == None`, (r) => r.tissue !== null],
  [`stage < "adult"`, (r) => stageIdx(r) >= 0 && stageIdx(r) < 2],
  [`stage >= "child"`, (r) => stageIdx(r) >= 1],
  [`"child" >= stage`, (r) => stageIdx(r) >= 0 && stageIdx(r) <= 1],
  [`stage > "toddler"`, () => false],
  [`stage != "toddler"`, () => true],
  // strings
  [`attr("orig.ident") == None`, (r) => r.orig === null],
  [`attr("orig.ident") > "GSM2"`, (r) => r.orig !== null && r.orig > "GSM2"],
  [`attr("orig.ident") in ["GSM1", "GSM2"]`, (r) => oneOf(r.orig, ["GSM1", "GSM2"])],
  [`attr("orig.ident") not in ["GSM1"]`, (r) => r.orig !== null && r.orig !== "GSM1"],
  // ints: numpy casts truncate floats toward zero; negative numbers work in lists
  ["nnz >= 5.7", (r) => r.nnz >= 5n],
  ["nnz < -0.5", (r) => r.nnz < 0n],
  ["nnz == 4999.9", (r) => r.nnz === 4999n],
  ["nnz in [-1, 5, 6]", (r) => [-1n, 5n, 6n].includes(r.nnz)],
  ["nnz not in [-1, 5]", (r) => ![-1n, 5n].includes(r.nnz)],
  ["nnz in [True]", (r) => r.nnz === 1n],
  ["0 <= nnz <= 6", (r) => r.nnz >= 0n && r.nnz <= 6n],
  ["not (0 <= nnz <= 6)", (r) => r.nnz < 0n || r.nnz > 6n],
  ["nnz == 0x1F4", (r) => r.nnz === 500n],
  ["soma_joinid < 3 or soma_joinid >= 8", (_, i) => i < 3 || i >= 8],
  ["u8 in [1, 255]", (r) => r.u8 === 1 || r.u8 === 255],
  ["u8 > 200", (r) => r.u8 > 200],
  ["i16 in [-300, 300, -32768]", (r) => [-300, 300, -32768].includes(r.i16)],
  ["i16 < -5 or i16 >= 32767", (r) => r.i16 < -5 || r.i16 >= 32767],
  // floats: NaN matches only !=, float32 values compare as float32
  ["raw_sum != 5000", (r) => r.raw_sum !== 5000],
  ["raw_sum < 1e4", (r) => r.raw_sum < 1e4],
  ["raw_sum >= 1e4", (r) => r.raw_sum >= 1e4],
  ["raw_sum in [5.7, 0, 10000]", (r) => [5.7, 0, 10000].includes(r.raw_sum)],
  ["f32 == 0.1", (r) => r.f32 === 0.1],
  ["f32 > 0.1", (r) => Math.fround(r.f32) > Math.fround(0.1)],
  ["f32 in [0.1, 7]", (r) => r.f32 === 0.1 || r.f32 === 7],
  // bools: bool(v) cast; `in` works (a tiledbsoma defect); nulls never match
  ["is_primary_data == 1", (r) => r.is_primary_data],
  ["is_primary_data == 0.0", (r) => !r.is_primary_data],
  ["is_primary_data != True", (r) => !r.is_primary_data],
  ["is_primary_data in [True]", (r) => r.is_primary_data],
  ["is_primary_data not in [False]", (r) => r.is_primary_data],
  ["flag == True", (r) => r.flag === true],
  ["flag != True", (r) => r.flag === false],
  ["not flag == True", (r) => r.flag === false],
  ["flag == None", (r) => r.flag === null],
  ["flag in [False]", (r) => r.flag === false],
  // datetimes compare as int64 in the column's unit
  ["ts >= 2000", (r) => r.ts >= 2000n],
  ["ts in [0, 10]", (r) => r.ts === 0n || r.ts === 10n],
  ["ts < 0.9", (r) => r.ts < 0n],
];

function expected(rows: readonly Row[], pred: (r: Row, i: number) => boolean, offset = 0): number[] {
  return rows.flatMap((r, i) => (pred(r, i + offset) ? [i] : []));
}

describe("value_filter evaluation over Arrow tables", () => {
  it("every case matches the JS predicate (and is neither empty nor everything, mostly)", () => {
    const nonTrivial = CASES.filter(([e]) => {
      const n = filterTable(TABLE, e).length;
      return n > 0 && n < ROWS.length;
    });
    expect(nonTrivial.length).toBeGreaterThan(CASES.length * 0.75);
  });

  it.each(CASES)("%s", (expr, pred) => {
    const want = expected(ROWS, pred);
    expect([...filterTable(TABLE, expr)]).toEqual(want);
    const compiled = compileValueFilter(expr, TABLE.schema, { axisName: "obs" });
    const mask = compiled.evaluate(TABLE);
    expect(mask).toBeInstanceOf(Uint8Array);
    expect(mask.length).toBe(ROWS.length);
    expect([...maskToIndices(mask)]).toEqual(want);
    // Same answer on a table split into record batches, and on a sliced table (bit offsets).
    const chunked = TABLE.slice(0, 3).concat(TABLE.slice(3, 7), TABLE.slice(7));
    expect(chunked.batches.length).toBe(3);
    expect([...filterTable(chunked, expr)]).toEqual(want);
    const sliced = TABLE.slice(3, 10);
    expect([...filterTable(sliced, expr)]).toEqual(expected(ROWS.slice(3, 10), pred, 3));
  });

  it("lists the referenced columns", () => {
    const f = compileValueFilter(
      `attr("orig.ident") == "x" or (nnz > 1 and tissue in ["lung"] and nnz < 9)`,
      TABLE.schema,
    );
    expect(f.columns).toEqual(["orig.ident", "nnz", "tissue"]);
  });

  it("compiles against column names and type-checks against each table", () => {
    const f = compileValueFilter("nnz > 5", ["nnz", "tissue"]);
    expect([...maskToIndices(f.evaluate(TABLE))]).toEqual(expected(ROWS, (r) => r.nnz > 5n));
    const g = compileValueFilter(`tissue == 5`, ["nnz", "tissue"]);
    expect(() => g.evaluate(TABLE)).toThrow(FilterSyntaxError);
    expect(() => compileValueFilter("cell_type == 'x'", ["nnz", "tissue"])).toThrow(
      /Column 'cell_type' does not exist/,
    );
  });

  it("reads labels per chunk when record batches carry different dictionaries", () => {
    const t = new Table({ c: dictColumn(["x", "y", null], ["x", "y"]) }).concat(
      new Table({ c: dictColumn(["z", "z"], ["z"]) }),
    );
    expect([...filterTable(t, `c != "z"`)]).toEqual([0, 1]);
    expect([...filterTable(t, `c == "z"`)]).toEqual([3, 4]);
    expect([...filterTable(t, `c in ["y", "z"]`)]).toEqual([1, 3, 4]);
    expect([...filterTable(t, `c != "w"`)]).toEqual([0, 1, 2, 3, 4]);
  });

  it("handles date32, LargeUtf8, uint8-coded integer-labelled dictionaries, and empty tables", () => {
    const intDict = makeVector(
      makeData({
        type: new Dictionary(new Int32(), new Uint8(), null, false),
        length: 4,
        data: Uint8Array.from([0, 1, 2, 1]),
        dictionary: vectorFromArray([10, -5, 7], new Int32()),
      }),
    );
    const t = new Table({
      d: column([new Date(0), new Date(3 * 86400000), null, new Date(-86400000)], new DateDay()),
      big: column(["a", "bb", null, "a"], new LargeUtf8()),
      n: intDict,
    });
    expect([...filterTable(t, "d >= 3")]).toEqual([1]);
    expect([...filterTable(t, "d in [0, -1]")]).toEqual([0, 3]);
    expect([...filterTable(t, "d != 0")]).toEqual([1, 3]);
    expect([...filterTable(t, `big == "a"`)]).toEqual([0, 3]);
    expect([...filterTable(t, `big >= "b"`)]).toEqual([1]);
    expect([...filterTable(t, `big not in ["bb"]`)]).toEqual([0, 3]);
    expect([...filterTable(t, "n == -5")]).toEqual([1, 3]);
    expect([...filterTable(t, "n in [7, 10, 99]")]).toEqual([0, 2]);
    expect([...filterTable(t, "n != 99")]).toEqual([0, 1, 2, 3]);
    expect(() => filterTable(t, `n == "10"`)).toThrow(/Cannot cast `10` to int32/);
    expect([...filterTable(TABLE.slice(0, 0), `tissue != "kidney" and nnz > 1`)]).toEqual([]);
  });

  it("accepts leading whitespace and NaN is never in a list", () => {
    expect([...filterTable(TABLE, "   nnz == 6")]).toEqual([9]);
    expect([...filterTable(TABLE, "raw_sum not in [0]")]).toEqual(expected(ROWS, (r) => r.raw_sum !== 0));
    expect(filterTable(TABLE, "raw_sum not in [0]")).toContain(3); // the NaN row
  });

  it("orders strings by code point (UTF-8 byte order), not UTF-16 units", () => {
    const t = new Table({ s: column(["\uFFFD", "\u{1F600}", "a"], new Utf8()) });
    expect([...filterTable(t, `s > "\\uFFFD"`)]).toEqual([1]);
    expect([...filterTable(t, `s < "\\U0001F600"`)]).toEqual([0, 2]);
  });
});

describe("value_filter errors that need the schema", () => {
  const cases: [string, string, number][] = [
    [`tissue < "brain"`, "Cannot apply an inequality operator against an unordered Enumeration", 7],
    [`"brain" < tissue`, "Cannot apply an inequality operator against an unordered Enumeration", 8],
    ["nnz > None", "Null value can only be used with equality operators", 4],
    [`nnz > "500"`, "Cannot cast `500` to int64.", 6],
    [`raw_sum > "x"`, "Cannot cast `x` to float64.", 10],
    [`is_primary_data == "yes"`, "Cannot cast `yes` to bool.", 19],
    [`ts == "x"`, "Cannot cast `x` to datetime64[ms].", 6],
    ["tissue == 5", "Incorrect type for comparison value: a string column needs a string", 10],
    [`tissue in ["brain", 5]`, "`in` values for a string column must be strings; got 5", 20],
    ["nnz in [1.5]", "`in` values for a int64 column must be integers; got 1.5", 8],
    [`nnz in ["1"]`, "must be numbers", 8],
    ["u8 == 256", "Python integer 256 out of bounds for uint8", 6],
    ["u8 >= -1", "Python integer -1 out of bounds for uint8", 6],
    ["i16 in [40000]", "Python integer 40000 out of bounds for int16", 8],
    ["nnz == 1e999", "Cannot cast `inf` to int64.", 7],
    ["bin == 1", "columns of type Binary cannot be filtered", 0],
    [
      "no_such_col == 1",
      "Column 'no_such_col' does not exist in the obs schema; available columns: 'tissue', ",
      0,
    ],
    [`nnz > 1 and attr("feature name") == "x"`, "does not exist in the obs schema", 12],
  ];
  it.each(cases)("%s", (expr, fragment, pos) => {
    let err: unknown;
    try {
      compileValueFilter(expr, TABLE.schema, { axisName: "obs" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterSyntaxError);
    const e = err as FilterSyntaxError;
    expect(e.message).toContain(fragment);
    expect(e.position).toBe(pos);
  });

  it("says when an unknown column exists on the other axis", () => {
    const run = (axisName?: "obs" | "var") =>
      compileValueFilter(`feature_name == "CD3E"`, TABLE.schema, {
        otherAxisColumns: ["feature_name", "soma_joinid"],
        ...(axisName === undefined ? {} : { axisName }),
      });
    expect(() => run("obs")).toThrow(
      /'feature_name' is a column of the var axis: is this filter on the wrong axis\?/,
    );
    expect(() => run("var")).toThrow(
      /does not exist in the var schema.*'feature_name' is a column of the obs axis/,
    );
    expect(() => run()).toThrow(/does not exist in schema.*column of the other axis/);
    expect(() => compileValueFilter(`x == 1`, TABLE.schema, { otherAxisColumns: ["y"] })).not.toThrow(/axis/);
  });

  it("names the column of a type error", () => {
    try {
      compileValueFilter(`nnz > "500"`, TABLE.schema);
      expect.unreachable();
    } catch (e) {
      expect((e as FilterSyntaxError).column).toBe("nnz");
    }
  });
});
