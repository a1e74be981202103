import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../server/auth/passwords.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * The console language is remembered per operator (issue #20): null until chosen (the console
 * follows the browser), set by PATCH /api/me, read back by GET /api/me in a new session, and
 * one operator's choice is not another's.
 */
describe.each(databaseKinds)("an operator's console language on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  const PASSWORD = "correct horse battery";

  const signIn = async (email: string) => {
    const res = await fetch(`${app.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  };
  const me = async (headers: Record<string, string>) => {
    const res = await fetch(`${app.url}/api/me`, { headers });
    return ((await res.json()) as { operator: { locale: string | null } }).operator.locale;
  };
  const patch = (headers: Record<string, string>, body: string) =>
    fetch(`${app.url}/api/me`, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"));
    const hash = await hashPassword(PASSWORD);
    await db.knex("operators").insert([
      { email: "li@example.com", role: "marketer", password_hash: hash },
      { email: "ann@example.com", role: "marketer", password_hash: hash },
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("follows the browser until chosen, then remembers the choice across sessions", async () => {
    const li = { cookie: await signIn("li@example.com") };
    expect(await me(li)).toBeNull();

    const saved = await patch(li, JSON.stringify({ locale: "zh-CN" }));
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ locale: "zh-CN" });

    // A new session (another browser) finds the choice; another operator keeps the browser's.
    expect(await me({ cookie: await signIn("li@example.com") })).toBe("zh-CN");
    expect(await me({ cookie: await signIn("ann@example.com") })).toBeNull();

    // An empty patch changes nothing; null goes back to following the browser.
    expect(await (await patch(li, "{}")).json()).toEqual({ locale: "zh-CN" });
    expect(await (await patch(li, JSON.stringify({ locale: null }))).json()).toEqual({
      locale: null,
    });
    expect(await me(li)).toBeNull();
  });

  it("refuses a language without a catalog, and unknown fields, naming the field", async () => {
    const ann = { cookie: await signIn("ann@example.com") };
    for (const body of [{ locale: "fr" }, { locale: 7 }, { language: "en" }]) {
      const res = await patch(ann, JSON.stringify(body));
      expect(res.status).toBe(400);
      const text = JSON.stringify(await res.json());
      expect(text).toMatch(body.locale === undefined ? /language/ : /locale/);
    }
    expect(await me(ann)).toBeNull();
  });

  it("keys have no console language: 409 on PATCH, null on GET", async () => {
    const key = { authorization: `Bearer ${app.secretKey}` };
    expect((await patch(key, JSON.stringify({ locale: "en" }))).status).toBe(409);
    expect(await me(key)).toBeNull();
  });
});
