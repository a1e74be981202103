import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowset, textArrayLiteral } from "../../server/runtime/sql/rowset.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

interface Row {
  id: number;
  name: string | null;
  tags: string[];
  doc: unknown;
  at: string | null;
  n: number | null;
}

const ROWS = rowset<Row>([
  ["id", "bigint"],
  ["name", "text"],
  ["tags", "text[]"],
  ["doc", "jsonb"],
  ["at", "timestamptz"],
  ["n", "int"],
]);

// Values that break naive encodings: quotes, backslashes, array-literal syntax, the word NULL,
// non-BMP characters, a bigint past 2^31, JSON nulls nested and at the top.
const AWKWARD: Row[] = [
  {
    id: 1,
    name: 'say "hi" \\ {a,b}',
    tags: ['a"b', "c\\d", "{x}", "e,f", "NULL", "", " spaced ", "退订 😀"],
    doc: { nested: { list: [1, null, "x"] }, empty: {} },
    at: "2026-03-02T02:00:00.123Z",
    n: -5,
  },
  { id: 2 ** 40, name: null, tags: [], doc: null, at: null, n: null },
];

describe.each(databaseKinds)("rowset on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("reads back every value exactly, with SQL types", async () => {
    const result = (await db.knex.raw(
      `select x.id, x.name, x.tags, x.doc, x.at, x.n, pg_typeof(x.tags)::text as tags_type,
              pg_typeof(x.at)::text as at_type, x.doc is null as doc_is_sql_null
         from ${ROWS.sql} as x order by x.id`,
      [ROWS.param(AWKWARD)],
    )) as {
      rows: {
        id: string;
        name: string | null;
        tags: string[];
        doc: unknown;
        at: Date | null;
        n: number | null;
        tags_type: string;
        at_type: string;
        doc_is_sql_null: boolean;
      }[];
    };
    expect(result.rows).toHaveLength(2);
    const [a, b] = result.rows;
    expect(a?.name).toBe(AWKWARD[0]?.name);
    expect(a?.tags).toEqual(AWKWARD[0]?.tags);
    expect(a?.doc).toEqual(AWKWARD[0]?.doc);
    expect(a?.at?.toISOString()).toBe("2026-03-02T02:00:00.123Z");
    expect(a?.n).toBe(-5);
    expect(a?.tags_type).toBe("text[]");
    expect(a?.at_type).toBe("timestamp with time zone");
    expect(Number(b?.id)).toBe(2 ** 40);
    expect(b?.name).toBeNull();
    expect(b?.tags).toEqual([]);
    expect(b?.doc_is_sql_null).toBe(true);
    expect(b?.at).toBeNull();
    expect(b?.n).toBeNull();
  });

  it("expands an empty row list to no rows", async () => {
    const result = (await db.knex.raw(`select count(*)::int as n from ${ROWS.sql} as x`, [
      ROWS.param([]),
    ])) as { rows: { n: number }[] };
    expect(result.rows[0]?.n).toBe(0);
  });

  it("quotes every array element, so commas and braces stay inside one element", async () => {
    const literal = textArrayLiteral(["a,b", "}", '"']);
    expect(literal).toBe('{"a,b","}","\\""}');
    const result = (await db.knex.raw("select ?::text[] as v", [literal])) as {
      rows: { v: string[] }[];
    };
    expect(result.rows[0]?.v).toEqual(["a,b", "}", '"']);
  });
});
