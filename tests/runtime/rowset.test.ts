import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordset, rowset, textArrayLiteral } from "../../server/runtime/sql/rowset.ts";
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

interface Rec {
  id: number;
  doc: unknown;
  tags: string[] | null;
  at: string | null;
  name: string | null;
}
const RECS = recordset<Rec>([
  ["id", "bigint"],
  ["doc", "json"],
  ["tags", "text[]"],
  ["at", "timestamptz"],
  ["name", "text"],
]);
// A json document that jsonb would rewrite (key order), keys that are traps for plain objects,
// escapes and non-BMP text, array elements in array-literal syntax. (A lone surrogate or NUL is
// refused here as by jsonb: a snapshot's strings come from jsonb columns, so it holds neither.)
const DOC = JSON.parse(
  '{"z":1,"a":{"__proto__":{"polluted":true},"constructor":"c"},"n":1.50,"s":"\\ud83d\\ude00 \\"q\\" \\\\ 退订 😀","l":[null,{}]}',
) as unknown;
const RECORDS: (Rec & { extra?: string })[] = [
  {
    id: 2 ** 40,
    doc: DOC,
    tags: ['a"b', "c\\d", "{x}", "e,f", "NULL", "", "退订"],
    at: "2026-03-02T02:00:00.123Z",
    name: 'say "hi"',
    extra: "not a column",
  },
  { id: 2, doc: null, tags: [], at: null, name: null },
];

describe.each(databaseKinds)("recordset on %s", (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("hands a json column the text as written and reads every value back exactly", async () => {
    const param = RECS.param(RECORDS);
    expect(param).not.toContain("extra");
    const result = (await db.knex.raw(
      `select x.id, x.doc, x.doc::text as doc_text, pg_typeof(x.doc)::text as doc_type,
              x.tags, pg_typeof(x.tags)::text as tags_type, x.at, x.name
         from ${RECS.sql} as x order by x.id desc`,
      [param],
    )) as {
      rows: {
        id: string;
        doc: unknown;
        doc_text: string | null;
        doc_type: string;
        tags: string[];
        tags_type: string;
        at: Date | null;
        name: string | null;
      }[];
    };
    const [a, b] = result.rows;
    expect(Number(a?.id)).toBe(2 ** 40);
    expect(a?.doc_type).toBe("json");
    expect(a?.doc_text).toBe(JSON.stringify(DOC));
    expect(a?.doc).toEqual(DOC);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(a?.tags).toEqual(RECORDS[0]?.tags);
    expect(a?.tags_type).toBe("text[]");
    expect(a?.at?.toISOString()).toBe("2026-03-02T02:00:00.123Z");
    expect(a?.name).toBe('say "hi"');
    expect(b?.doc).toBeNull();
    expect(b?.tags).toEqual([]);
    expect(b?.at).toBeNull();
    expect(b?.name).toBeNull();
  });

  it("expands an empty row list to no rows", async () => {
    const result = (await db.knex.raw(`select count(*)::int as n from ${RECS.sql} as x`, [
      RECS.param([]),
    ])) as { rows: { n: number }[] };
    expect(result.rows[0]?.n).toBe(0);
  });
});

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
