/**
 * TileDB datetimes as Arrow types: DATETIME_SEC/MS/US/NS → Timestamp of that unit, DATETIME_DAY →
 * DateDay, other units → Int64 counts. Checked on real arrays (MyTile's all_datetimes and
 * datetime_dimensions, TileDB-Cloud-JS's quickstart_sparse_dt) against MariaDB MyTile's rendering.
 */
import { readFileSync } from "node:fs";
import {
  DataType,
  DateDay,
  Int64,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  TimeUnit,
  type Vector,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { LocalDirectoryStore } from "../../src/io/local.js";
import { arrowSchemaOf, columnToVector, tableOf } from "../../src/soma/arrow.js";
import { SOMADataFrame } from "../../src/soma/index.js";
import { compileValueFilter } from "../../src/soma/query/index.js";
import { openArray } from "../../src/soma/tiledb/index.js";
import { columnInput } from "../../src/soma/to-h5ad.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const fx = (...p: string[]) => fixturePath("tiledb", ...p);
const openFrame = async (...p: string[]) => {
  const store = new LocalDirectoryStore(fx(...p));
  return new SOMADataFrame(await openArray(store), store);
};

/** MyTile's `select … from all_datetimes` result row (tab-separated, header first). */
function mytileAllDatetimes(): Record<string, string> {
  const md = readFileSync(fx("mariadb-mytile-v3-v8", "truth", "EXPECTED_FROM_MYTILE_RESULTS.md"), "utf8");
  const section = md.split("## ").find((s) => s.includes("2.0/all_datetimes")) ?? "";
  const rows = section.split("\n").filter((l) => l.includes("\t"));
  const [head, first] = rows.map((l) => l.split("\t"));
  return Object.fromEntries((head ?? []).map((h, i) => [h, first?.[i] ?? ""]));
}

const PER_SECOND: Record<number, bigint> = {
  [TimeUnit.SECOND]: 1n,
  [TimeUnit.MILLISECOND]: 1000n,
  [TimeUnit.MICROSECOND]: 1_000_000n,
  [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

/** A stored timestamp as MariaDB's DATETIME(6) text: "YYYY-MM-DD hh:mm:ss.ffffff" (truncated to µs). */
function mariadbText(v: Vector, i: number): string {
  const t = v.type as TimestampSecond;
  const raw = firstInt64(v.data[0]?.values, i);
  const per = PER_SECOND[t.unit] as bigint;
  const secs = raw / per;
  const micros = ((raw % per) * 1_000_000n) / per;
  const date = new Date(Number(secs) * 1000).toISOString().slice(0, 19).replace("T", " ");
  return `${date}.${micros.toString().padStart(6, "0")}`;
}

/** Element i of a column's stored int64s (fails the test when the column is missing). */
function firstInt64(values: unknown, i = 0): bigint {
  if (!(values instanceof BigInt64Array)) throw new Error(`expected a BigInt64Array, got ${String(values)}`);
  return values[i] as bigint;
}

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

describeWithFixtures("tiledb", "TileDB datetimes as Arrow types", () => {
  describe("mariadb-mytile-v3-v8/2.0/all_datetimes (one row, every DATETIME_* unit)", () => {
    it("maps SEC/MS/US/NS to Timestamp, DAY to DateDay, other units to Int64", async () => {
      const frame = await openFrame("mariadb-mytile-v3-v8", "2.0", "all_datetimes");
      const type = (n: string) => frame.schema.fields.find((f) => f.name === n)?.type;
      expect(type("datetime_second")).toBeInstanceOf(TimestampSecond);
      expect(type("datetime_millisecond")).toBeInstanceOf(TimestampMillisecond);
      expect(type("datetime_microsecond")).toBeInstanceOf(TimestampMicrosecond);
      expect(type("datetime_nanosecond")).toBeInstanceOf(TimestampNanosecond);
      expect(type("datetime_day")).toBeInstanceOf(DateDay);
      for (const n of ["year", "month", "week", "hour", "minute", "picosecond", "femtosecond", "attosecond"])
        expect(type(`datetime_${n}`)).toBeInstanceOf(Int64);
    });

    it("SOMADataFrame.read values match MyTile's rendering", async () => {
      const frame = await openFrame("mariadb-mytile-v3-v8", "2.0", "all_datetimes");
      const t = await frame.read();
      const truth = mytileAllDatetimes();
      expect(t.numRows).toBe(1);
      expect(truth.datetime_second).toBe("2020-07-26 13:45:55.000000");
      for (const n of ["second", "millisecond", "microsecond", "nanosecond"]) {
        const col = t.getChild(`datetime_${n}`) as Vector;
        expect(DataType.isTimestamp(col.type)).toBe(true);
        expect(mariadbText(col, 0)).toBe(truth[`datetime_${n}`]);
        // Arrow's own accessor: epoch milliseconds.
        expect(utc(col.get(0) as number)).toBe(truth[`datetime_${n}`]?.slice(0, 19));
      }
      const nsRaw = firstInt64(t.getChild("datetime_nanosecond")?.data[0]?.values);
      expect(nsRaw).toBe(1595771155123456789n);
      const day = t.getChild("datetime_day") as Vector;
      expect(day.data[0]?.values).toBeInstanceOf(Int32Array);
      expect(new Date(day.get(0) as number).toISOString().slice(0, 10)).toBe(truth.datetime_day);
      // Int64-kept units are counts of their unit: hours, minutes, weeks and years since 1970.
      const int = (n: string) => Number(t.getChild(`datetime_${n}`)?.get(0) as bigint);
      expect(utc(int("hour") * 3600_000)).toBe(truth.datetime_hour?.slice(0, 19));
      expect(utc(int("minute") * 60_000)).toBe(truth.datetime_minute?.slice(0, 19));
      expect(utc(int("week") * 7 * 86400_000)).toBe(truth.datetime_week?.slice(0, 19));
      expect(String(1970 + int("year"))).toBe(truth.datetime_year);
    });

    it("value filters compare timestamps and dates as int64 counts in the column's unit", async () => {
      const frame = await openFrame("mariadb-mytile-v3-v8", "2.0", "all_datetimes");
      const rows = async (valueFilter: string) => (await frame.read({ valueFilter })).numRows;
      expect(await rows("datetime_day == 18469")).toBe(1);
      expect(await rows("datetime_day > 18469")).toBe(0);
      expect(await rows("datetime_nanosecond == 1595771155123456789")).toBe(1);
      expect(await rows("datetime_nanosecond > 1595771155123456788")).toBe(1);
      expect(await rows("datetime_nanosecond > 1595771155123456789")).toBe(0);
      expect(await rows("datetime_second >= 1595771155 and datetime_millisecond < 1595771155124")).toBe(1);
    });
  });

  describe("datetime dimensions", () => {
    it("mariadb-mytile-v3-v8/2.0/datetime_dimensions: dimension types follow the same mapping", async () => {
      const array = await openArray(
        new LocalDirectoryStore(fx("mariadb-mytile-v3-v8", "2.0", "datetime_dimensions")),
      );
      const schema = arrowSchemaOf(array);
      const type = (n: string) => schema.fields.find((f) => f.name === n)?.type;
      expect(type("dt_s")).toBeInstanceOf(TimestampSecond);
      expect(type("dt_ms")).toBeInstanceOf(TimestampMillisecond);
      expect(type("dt_us")).toBeInstanceOf(TimestampMicrosecond);
      expect(type("dt_ns")).toBeInstanceOf(TimestampNanosecond);
      expect(type("dt_d")).toBeInstanceOf(DateDay);
      expect(type("dt_y")).toBeInstanceOf(Int64);
      const cols = await array.read();
      const vec = (n: string) => columnToVector(cols[n] as never, type(n) as DataType);
      // The one cell's second, ms, µs and ns coordinates all name the same instant.
      const instants = ["dt_s", "dt_ms", "dt_us", "dt_ns"].map((n) => vec(n).get(0));
      expect(new Set(instants).size).toBe(1);
      expect(utc(instants[0] as number)).toBe(utc(Number(firstInt64(cols.dt_s?.data)) * 1000));
      expect(new Date(vec("dt_d").get(0) as number).toISOString().slice(0, 10)).toBe(
        utc(Number(firstInt64(cols.dt_d?.data)) * 86400_000).slice(0, 10),
      );
    });

    it("cloudjs quickstart_sparse_dt: a DATETIME_SEC dimension, row-selected and filtered", async () => {
      const array = await openArray(
        new LocalDirectoryStore(fx("cloudjs-fixtures-v9-v10", "quickstart_sparse_dt")),
      );
      const schema = arrowSchemaOf(array);
      const tsType = schema.fields.find((f) => f.name === "timestamp")?.type as DataType;
      expect(tsType).toBeInstanceOf(TimestampSecond);
      const cols = await array.read();
      const ts = columnToVector(cols.timestamp as never, tsType);
      // 2020-01-01, 2020-05-05 19:14:16, 2020-05-07 19:14:16 UTC (seconds × 1000 = epoch ms).
      expect(Array.from({ length: 3 }, (_, i) => utc(ts.get(i) as number))).toEqual([
        "2020-01-01 00:00:00",
        "2020-05-05 19:14:16",
        "2020-05-07 19:14:16",
      ]);
      const picked = columnToVector(cols.timestamp as never, tsType, Int32Array.of(2, 0));
      expect(Array.from(picked.data[0]?.values as BigInt64Array)).toEqual([1588878856n, 1577836800n]);
      const filter = compileValueFilter("timestamp > 1580000000", schema);
      const mask = filter.evaluate(tableOf(["timestamp"], [ts]));
      expect(Array.from(mask)).toEqual([0, 1, 1]);
      const frame = await openFrame("cloudjs-fixtures-v9-v10", "quickstart_sparse_dt");
      const out = await frame.read({ valueFilter: "timestamp < 1588800000" });
      expect(out.getChild("a")?.toArray()).toEqual(Int32Array.of(3, 2));
      expect(out.getChild("timestamp")?.type).toBeInstanceOf(TimestampSecond);
      // toH5ad keeps datetime columns as their int64 counts (anndata has no datetime encoding).
      expect(columnInput(ts)).toEqual({
        kind: "numeric",
        values: BigInt64Array.of(1577836800n, 1588706056n, 1588878856n),
      });
      const day = await openFrame("mariadb-mytile-v3-v8", "2.0", "all_datetimes");
      const dayCol = (await day.read({ columnNames: ["datetime_day"] })).getChild("datetime_day") as Vector;
      expect(columnInput(dayCol)).toEqual({ kind: "numeric", values: Int32Array.of(18469) });
    });
  });
});
