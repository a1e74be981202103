import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJourney, publishJourney } from "../../../server/journeys/store.ts";
import { manualClock, startTestApp, type TestApp } from "../../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../../helpers/databases.ts";
import { cartReminder } from "../../helpers/journeys.ts";
import { call, createOperator, login } from "./helpers.ts";

/**
 * Issue 14, item 9, at the HTTP level (the Chromium replay is in browser.test.ts): with the
 * victim's cookie, a page on another port of the host posted `text/plain` forms that paused and
 * published journeys. State-changing API requests now need JSON (or no body) and our own origin,
 * unless a Bearer key (which no page can attach) authenticates them.
 */
describe.each(databaseKinds)("cross-site request forgery on %s", (kind) => {
  let db: TestDatabase;
  let app: TestApp;
  let cookie: string;
  let ours: string;
  let theirs: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    app = await startTestApp(db, manualClock("2026-03-02T02:00:00Z"));
    await createJourney(db.knex, cartReminder("cart-reminder"), null);
    await publishJourney(db.knex, "cart-reminder", null);
    await createJourney(db.knex, cartReminder("win-back"), null);
    cookie = await login(app.url, (await createOperator(db.knex, "marketer")).email);
    ours = app.url;
    const port = Number(new URL(app.url).port);
    theirs = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const status = async (id: string) =>
    (await db.knex("journeys").where({ id }).first("status")).status as string;
  const post = (path: string, headers: Record<string, string>, body: string | null = null) =>
    call(app.url, "POST", path, { cookie, headers, ...(body === null ? {} : { body }) });

  it("refuses form encodings with the cookie (what an auto-submitted form sends)", async () => {
    const forms: [string, string][] = [
      ["text/plain", '{"x":"=y"}'],
      ["application/x-www-form-urlencoded", "x=y"],
      [
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b--\r\n',
      ],
      ["text/plain", ""],
    ];
    for (const [type, body] of forms) {
      for (const path of ["/api/journeys/cart-reminder/pause", "/api/journeys/win-back/publish"]) {
        const res = await post(
          path,
          { "content-type": type, origin: theirs, "sec-fetch-site": "same-site" },
          body,
        );
        expect([type, path, res.status, res.body.error]).toEqual([
          type,
          path,
          415,
          expect.objectContaining({ code: "unsupported_media_type" }),
        ]);
      }
    }
    expect(await status("cart-reminder")).toBe("live");
    expect(await status("win-back")).toBe("draft");
  });

  it("refuses JSON from another origin, by Sec-Fetch-Site or by Origin", async () => {
    const json = { "content-type": "application/json" };
    for (const headers of [
      { ...json, "sec-fetch-site": "same-site" },
      { ...json, "sec-fetch-site": "cross-site" },
      { ...json, origin: theirs },
      { ...json, origin: "null" },
      { ...json, origin: "http://127.0.0.1.evil.test" },
    ]) {
      const res = await post("/api/journeys/cart-reminder/pause", headers, "{}");
      expect([headers, res.status, res.body.error]).toEqual([
        headers,
        403,
        expect.objectContaining({ code: "cross_origin" }),
      ]);
    }
    // Logout, login and every method, not only POST.
    const logout = await call(app.url, "DELETE", "/api/session", {
      cookie,
      headers: { "sec-fetch-site": "same-site" },
    });
    expect(logout.status).toBe(403);
    const put = await call(app.url, "PUT", "/api/journeys/win-back", {
      cookie,
      body: cartReminder("win-back"),
      headers: { origin: theirs },
    });
    expect(put.status).toBe(403);
    const loginForm = await call(app.url, "POST", "/api/session", {
      body: "email=a@b.c&password=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(loginForm.status).toBe(415);
    expect(await status("cart-reminder")).toBe("live");
  });

  it("serves the console's own requests: same origin, JSON or no body", async () => {
    // What the console sends for pause (no body) and publish (JSON), as Chromium labels them.
    const pause = await post("/api/journeys/cart-reminder/pause", {
      origin: ours,
      "sec-fetch-site": "same-origin",
    });
    expect(pause.status).toBe(200);
    const publish = await post(
      "/api/journeys/win-back/publish",
      { "content-type": "application/json; charset=utf-8", origin: ours },
      "{}",
    );
    expect(publish.status).toBe(200);
    expect([await status("cart-reminder"), await status("win-back")]).toEqual(["paused", "live"]);
    // A script with a cookie (curl, no browser headers) is no forgery either.
    expect((await post("/api/journeys/cart-reminder/resume", {})).status).toBe(200);
  });

  it("lets scripts with a Bearer key through, whatever they send", async () => {
    const res = await call(app.url, "POST", "/api/journeys/cart-reminder/pause", {
      bearer: app.secretKey,
      body: "",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: theirs },
    });
    expect(res.status).toBe(200);
    expect(await status("cart-reminder")).toBe("paused");
  });
});
