/**
 * Many rows as one statement parameter, positionally: `[[1,"a",…],[2,"b",…]]`, expanded in SQL
 * by `jsonb_array_elements` with one `->` / `->>` per column.
 *
 * Why not `jsonb_to_recordset` over an array of objects: PostgreSQL parses every object's keys
 * (and sorts them) and then looks each column up by name, per row. Measured on 1,000 outbox rows
 * here: 3.3 ms to expand objects against 1.2 ms for arrays, and the JSON is half the size for
 * Node to stringify. The ticker writes a few thousand such rows per batch, so this is a few µs
 * of the ~100 µs of CPU each user step costs (docs/SCALING.md).
 */
export type ColumnType = "bigint" | "int" | "text" | "jsonb" | "timestamptz" | "text[]";
/** Column types a `recordset` can carry: `json` goes in as written, never parsed into jsonb. */
export type RecordColumnType = Exclude<ColumnType, "jsonb"> | "json";

export interface Rowset<Row> {
  /** A subquery with one column per spec entry, named as in the spec: use as `from ${sql} x`. */
  sql: string;
  /** The JSON text for the subquery's one `?` placeholder. */
  param: (rows: readonly Row[]) => string;
}

/** A PostgreSQL array literal that reads back exactly these strings (every element quoted). */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

function column(type: ColumnType, i: number): string {
  switch (type) {
    case "jsonb":
      // A JSON null stays SQL NULL, as jsonb_to_recordset would give it.
      return `nullif(r->${i}, 'null'::jsonb)`;
    case "text":
      return `r->>${i}`;
    case "bigint":
    case "int":
    case "timestamptz":
    case "text[]":
      return `(r->>${i})::${type}`;
  }
}

export function rowset<Row>(
  columns: readonly (readonly [keyof Row & string, ColumnType])[],
): Rowset<Row> {
  const select = columns.map(([name, type], i) => `${column(type, i)} as ${name}`).join(", ");
  const arrays = columns.map(([, type]) => type === "text[]");
  const names = columns.map(([name]) => name);
  return {
    sql: `(select ${select} from jsonb_array_elements(?::jsonb) as r)`,
    param: (rows) =>
      JSON.stringify(
        rows.map((row) =>
          names.map((name, i) => {
            const v = row[name as keyof Row];
            return arrays[i] ? textArrayLiteral(v as readonly string[]) : (v ?? null);
          }),
        ),
      ),
  };
}

/**
 * Many rows as one parameter of objects, keyed by column name, expanded by `json_to_recordset`:
 * for a row set with a `json` column (the enrollment snapshot). The positional `rowset` has
 * PostgreSQL parse the whole parameter into jsonb, nested objects included (keys sorted, each
 * number made a numeric), only for a json column to print it back to text; here the parameter
 * is only lexed, each field's text handed to its column's input function. Measured on 2,000
 * enrollment rows with a 380-byte snapshot: ~14.5 µs per row positionally into jsonb, ~10.7
 * here into json (docs/SCALING.md). A `text[]` column takes a JSON array of strings as it is.
 */
export function recordset<Row>(
  columns: readonly (readonly [keyof Row & string, RecordColumnType])[],
): Rowset<Row> {
  const names = columns.map(([name]) => name);
  const select = names.map((name) => `x.${name}`).join(", ");
  const types = columns.map(([name, type]) => `${name} ${type}`).join(", ");
  return {
    sql: `(select ${select} from json_to_recordset(?::json) as x(${types}))`,
    // Only the named columns travel: a row may carry fields the statement does not write. (A
    // replacer list would not do: JSON.stringify applies it at every depth, inside the json.)
    param: (rows) =>
      JSON.stringify(
        rows.map((row) => {
          // A plain object: the keys are the spec's column names, never outside input, and a
          // prototype-less one stringified ~13% slower (V8 keeps it in dictionary mode).
          const picked: Record<string, unknown> = {};
          for (const name of names) picked[name] = row[name as keyof Row] ?? null;
          return picked;
        }),
      ),
  };
}
