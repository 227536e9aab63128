import { expect, it } from "vitest";
import { open, openExperiment, SOMADataFrame, type SOMASparseNDArray } from "../../src/soma/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { denseLayer, lines, metaData } from "./truth.js";

const legacy = (...p: string[]) => fixturePath("tiledb", "soma-legacy-small", ...p);

describeWithFixtures("tiledb", "SOMA stores written by older tiledbsoma versions", () => {
  it("reads the 2023 (format v18, pre-1.15) pbmc-small experiment: shape from the dimension domain", async () => {
    const exp = await openExperiment(legacy("soma-exp-pbmc-small_2023_v18"));
    expect(exp.metadata.soma_encoding_version).toBe("1");
    const rna = await exp.ms.get("RNA");
    const counts = (await rna.X.get("counts")) as SOMASparseNDArray;
    expect(counts.shape).toEqual([80, 230]);
    expect(await counts.nnz()).toBe(4456);
    const meta = metaData();
    const want = meta.flatMap((r, i) => (r["RNA_snn_res.0.8"] === "1" ? [i] : []));
    const q = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: 'attr("RNA_snn_res.0.8") == "1"' },
      varQuery: { coords: { start: 200 } },
    });
    expect(Array.from(await q.obsJoinids())).toEqual(want);
    expect(Array.from(await q.varJoinids())).toEqual(Array.from({ length: 30 }, (_, i) => 200 + i));
    const X = await q.X("counts", { dtype: "float64" });
    const truth = denseLayer("counts_coo.csv");
    const dense = new Float64Array(want.length * 30);
    for (let r = 0; r < want.length; r++)
      for (let k = X.indptr[r] as number; k < (X.indptr[r + 1] as number); k++)
        dense[r * 30 + (X.indices[k] as number)] = X.data[k] as number;
    expect(Array.from(dense)).toEqual(
      want.flatMap((c) => Array.from({ length: 30 }, (_, g) => truth[c * 230 + 200 + g])),
    );
    const obs = await q.obs({ columnNames: ["obs_id"] });
    const cells = lines("cells.txt");
    expect(obs.getChild("obs_id")?.toArray()).toEqual(want.map((i) => cells[i]));
  });

  it("reads a DataFrame with three index columns (int64, int32, string)", async () => {
    const df = await open(legacy("nonstandard-dataframe_v22"));
    expect(df).toBeInstanceOf(SOMADataFrame);
    const frame = df as SOMADataFrame;
    expect(frame.indexColumnNames).toEqual(["soma_joinid", "myint", "mystring"]);
    const t = await frame.read();
    expect(t.toArray().map((r) => r.toJSON())).toEqual([
      { soma_joinid: 10n, myint: 1330, mystring: "hello", myfloat: 4.5 },
      { soma_joinid: 20n, myint: 1440, mystring: "world", myfloat: 5.5 },
    ]);
    const f = await frame.read({ valueFilter: 'mystring == "world"', columnNames: ["myfloat"] });
    expect(f.getChild("myfloat")?.toArray()).toEqual(Float32Array.of(5.5));
    expect((await frame.read({ coords: [20] })).getChild("myint")?.toArray()).toEqual(Int32Array.of(1440));
  });

  it("reads a format-v15 obs keyed by the pre-1.0 uint64 soma_rowid", async () => {
    const obs = (await open(legacy("soco-pbmc3k_processed-obs_v15", "obs"))) as SOMADataFrame;
    const t = await obs.read({ valueFilter: 'louvain == "B cells"', columnNames: ["soma_rowid", "obs_id"] });
    expect(String(t.getChild("soma_rowid")?.type)).toBe("Uint64");
    expect(t.numRows).toBe(342);
    expect(await obs.count()).toBe(2638);
  });
});
