/**
 * tiledbsoma's `value_filter` language: parse (`parseValueFilter`), bind to a schema
 * (`compileValueFilter`) and evaluate over apache-arrow tables (`filterTable`). A filter copied
 * from a CELLxGENE Census notebook means the same here as in tiledbsoma (Python).
 *
 * ```ts
 * import { filterTable } from "cellfeed/soma";
 * const rows = filterTable(obs, 'tissue_general == "lung" and is_primary_data == True'); // Int32Array
 * ```
 *
 * Semantics (see the spec in docs/soma-value-filter.md):
 * - Python precedence: `or` < `and` < `not` < comparisons < `|` < `&`, so `(a == 1) & (b == 2)`
 *   needs its parentheses. `&`/`|` mean `and`/`or`. `0 <= nnz < 5` is `nnz >= 0 and nnz < 5`.
 * - `not` negates operators (== ↔ !=, < ↔ >=, in ↔ not in, De Morgan); it is not a set complement.
 * - A null cell matches no comparison and no `in`/`not in`, so `x != "a"` and `not x == "a"` both
 *   exclude nulls. `x == None` selects nulls, `x != None` non-nulls; other operators reject None.
 * - Dictionary (enumeration) columns compare by label. A label that is not a category makes `==`
 *   (and `<`…) match nothing and `!=` match every row, nulls included (TileDB's ALWAYS_TRUE);
 *   unknown `in` members are dropped. Inequalities need an ordered dictionary (category order).
 * - Casts follow numpy: floats truncate on int columns (`nnz >= 5.7` is `nnz >= 5`), out-of-range
 *   ints are errors, bool columns use Python `bool(v)`, float32 columns compare as float32,
 *   datetimes compare as int64 in the column's unit, strings never cast to numbers.
 *   `in` lists are not cast (ints for int columns).
 * - Fixed tiledbsoma defects: `in` works on bool/uint8/int16 columns and accepts negative numbers.
 * - Accepted beyond tiledbsoma: leading whitespace (Python's `ast.parse` would say "unexpected indent").
 * - Strings order by UTF-8 bytes (TileDB's order); NaN matches only `!=` / `not in`.
 */
export type { BoolNode, CompareNode, CompareOp, FilterAst, FilterLiteral, InNode } from "./ast.js";
export { formatFilter, negate, referencedColumns } from "./ast.js";
export type { CompiledFilter, CompileOptions } from "./compile.js";
export { compileValueFilter, filterTable, maskToIndices } from "./compile.js";
export { parseValueFilter } from "./lower.js";
export type { Int64Ranges } from "./ranges.js";
export { int64Ranges } from "./ranges.js";
