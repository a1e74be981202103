import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../helpers/databases.ts";
import { runCli, type Started, startWaymark, tempDir } from "../helpers/server-process.ts";

const running: Started[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function start(env: Record<string, string>) {
  const s = await startWaymark(env);
  running.push(s);
  return s;
}

async function login(url: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@waymark.local", password }),
  });
  expect(res.status).toBe(201);
  const cookie = res.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Lax/i);
  return cookie.split(";")[0] ?? "";
}

describe("waymark start on embedded PGlite", () => {
  it("serves the client and /healthz, prints how to log in, and keeps data across restarts", async () => {
    const dataDir = tempDir();
    const first = await start({ WAYMARK_DATA_DIR: dataDir });
    expect(first.stdout).toContain("database: pglite");
    expect(first.stdout).toMatch(/demo workspace: 10,300 contacts, 7 journeys/);
    expect(first.adminPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

    const health = (await (await fetch(`${first.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toEqual({
      status: "ok",
      database: "pglite",
      migration: "20261206010000_anonymous_profiles.ts",
    });

    const page = await fetch(`${first.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(await page.text()).toContain('<div id="root">');
    expect((await fetch(`${first.url}/api/journeys`)).status).toBe(401);

    const cookie = await login(first.url, first.adminPassword ?? "");
    const list = await fetch(`${first.url}/api/journeys`, { headers: { cookie } });
    expect(list.status).toBe(200);
    await first.stop();

    // Same data directory: no second admin, no second seed, and the old password still works.
    const second = await start({ WAYMARK_DATA_DIR: dataDir });
    expect(second.adminPassword).toBeNull();
    expect(second.stdout).not.toMatch(/demo workspace/);
    await login(second.url, first.adminPassword ?? "");
    await second.stop();
  });

  it("says clearly when the port is busy", async () => {
    const a = await start({ WAYMARK_DATA_DIR: tempDir() });
    const port = new URL(a.url).port;
    const b = await runCli(["start"], {
      WAYMARK_DATA_DIR: tempDir(),
      PORT: port,
      HOST: "127.0.0.1",
    });
    expect(b.code).toBe(1);
    expect(b.stderr.trim()).toBe(
      `waymark: port ${port} is already in use (is Waymark already running?); set PORT to use another`,
    );
  });

  it("rejects a bad DATABASE_URL with one line and exit code 1", async () => {
    for (const url of ["postgres://nobody@127.0.0.1:1/nowhere", "mysql://x@y/z", "not a url"]) {
      const r = await runCli(["start"], { DATABASE_URL: url, WAYMARK_DATA_DIR: tempDir() });
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^waymark: (cannot connect to PostgreSQL|DATABASE_URL)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)("waymark start on PostgreSQL", () => {
  it("migrates a fresh database and reports postgres in /healthz", async () => {
    const { url, drop } = await createPostgresDatabase();
    try {
      const s = await start({ DATABASE_URL: url, WAYMARK_DATA_DIR: tempDir() });
      const health = (await (await fetch(`${s.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toEqual({
        status: "ok",
        database: "postgres",
        migration: "20261206010000_anonymous_profiles.ts",
      });
      await s.stop();
      const down = await runCli(["migrate", "--down"], { DATABASE_URL: url });
      expect(down.stdout).toContain(
        "reverted: 20261206010000_anonymous_profiles.ts, 20261126000000_contact_rfm.ts, 20261125040000_enrollment_steps.ts, 20261125030000_message_attribution.ts, 20261125020000_lean_hot_tables.ts, 20261125010000_audiences.ts, 20261125000000_initial_schema.ts",
      );
    } finally {
      await drop();
    }
  });
});
