import { existsSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adminSocketPath } from "../../server/cli/admin-socket.ts";
import { lockPath } from "../../server/db/lock.ts";
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

const quick = { WAYMARK_SERVE_CLIENT: "false", WAYMARK_DEMO_SEED: "false" };

async function identify(url: string, key: string): Promise<number> {
  const res = await fetch(`${url}/v1/identify`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: JSON.stringify({ userId: "someone", traits: {} }),
  });
  return res.status;
}

async function login(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  return res.status;
}

/** A raw POST to the admin socket, as anyone who can reach the file could send. */
function rawSocket(dir: string, body: unknown): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      { socketPath: adminSocketPath(dir), path: "/command", method: "POST" },
      (res) => {
        res.resume();
        res.on("end", () => done(res.statusCode ?? 0));
      },
    );
    req.on("error", fail);
    req.end(typeof body === "string" ? body : JSON.stringify(body));
  });
}

describe("one process per PGlite folder", () => {
  it("a second start and migrate refuse; keys and operators commands run inside the server; after kill -9 the next start takes over", async () => {
    const dir = tempDir();
    const env = { ...quick, WAYMARK_DATA_DIR: dir };
    const server = await start(env);
    const pid = server.child.pid;
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(pid);

    const second = await runCli(["start"], { ...env, PORT: "0", HOST: "127.0.0.1" });
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(
      `waymark: the server (pid ${pid}) is using ${dir}; stop it first, or set WAYMARK_DATA_DIR to another folder\n`,
    );
    const migrate = await runCli(["migrate"], env);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toBe(
      `waymark: the server (pid ${pid}) is using ${dir}; it applied the migrations when it started; stop it to run migrate\n`,
    );

    // Keys, routed through the running server.
    const write = await runCli(["keys", "create", "--kind", "write", "--name", "shop"], env);
    expect(write.code).toBe(0);
    const writeKey = write.stdout.trim();
    expect(writeKey).toMatch(/^wk_/);
    expect(await identify(server.url, writeKey)).toBe(200);
    const secret = await runCli(["keys", "create", "--kind", "secret"], env);
    expect(secret.code).toBe(0);
    const secretKey = secret.stdout.trim();
    const journeys = await fetch(`${server.url}/api/journeys`, {
      headers: { authorization: `Bearer ${secretKey}` },
    });
    expect(journeys.status).toBe(200);
    const doomed = await runCli(["keys", "create", "--kind", "write"], env);
    const doomedId = /#(\d+)/.exec(doomed.stderr)?.[1] ?? "";
    expect(await identify(server.url, doomed.stdout.trim())).toBe(200);
    const revoked = await runCli(["keys", "revoke", doomedId], env);
    expect(revoked).toMatchObject({ code: 0, stderr: `revoked key #${doomedId}\n` });
    expect(await identify(server.url, doomed.stdout.trim())).toBe(401);
    // Usage errors come back from the server as they would locally.
    const bad = await runCli(["keys", "create", "--kind", "nope"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--kind must be write or secret");

    // Operators, routed.
    const created = await runCli(
      ["operators", "create", "--email", "Ops@Example.com", "--role", "marketer"],
      env,
    );
    expect(created.code).toBe(0);
    const opsPassword = created.stdout.trim();
    expect(await login(server.url, "ops@example.com", opsPassword)).toBe(201);
    const list = await runCli(["operators", "list"], env);
    expect(list.stdout).toMatch(/\tops@example\.com\tmarketer\n/);
    expect((await runCli(["operators", "disable", "--email", "ops@example.com"], env)).code).toBe(
      0,
    );
    expect(await login(server.url, "ops@example.com", opsPassword)).not.toBe(201);
    expect((await runCli(["operators", "list"], env)).stdout).toMatch(
      /\tops@example\.com\tmarketer\tdisabled\n/,
    );
    const reset = await runCli(
      ["operators", "reset-password", "--email", "admin@waymark.local"],
      env,
    );
    expect(reset.code).toBe(0);
    expect(await login(server.url, "admin@waymark.local", reset.stdout.trim())).toBe(201);
    expect(await login(server.url, "admin@waymark.local", server.adminPassword ?? "")).toBe(401);
    expect(
      (await runCli(["operators", "reset-password", "--email", "nobody@example.com"], env)).code,
    ).toBe(1);

    // Only the local user reaches the socket, and only with the lock file's token, and only
    // for the routable commands.
    expect(statSync(adminSocketPath(dir)).mode & 0o777).toBe(0o600);
    expect(await rawSocket(dir, { token: "guess", command: "keys", args: ["create"] })).toBe(403);
    const { token } = JSON.parse(readFileSync(lockPath(dir), "utf8")) as { token: string };
    expect(await rawSocket(dir, { token, command: "migrate", args: ["--down"] })).toBe(404);
    expect(await rawSocket(dir, { token, command: "keys", args: [1] })).toBe(400);
    for (const command of ["__proto__", "constructor", "toString"]) {
      expect(await rawSocket(dir, { token, command, args: [] })).toBe(404);
    }
    expect(await rawSocket(dir, "{not json")).toBe(400);
    expect(await rawSocket(dir, { token, command: "keys", args: ["x".repeat(70_000)] })).toBe(413);
    const proto = await runCli(["operators", "reset-password", "--email", "__proto__"], env);
    expect(proto).toMatchObject({ code: 1, stderr: "waymark operators: no operator __proto__\n" });

    // kill -9: the lock file stays behind with a dead pid.
    await new Promise((done) => {
      server.child.once("exit", done);
      server.child.kill("SIGKILL");
    });
    expect(existsSync(lockPath(dir))).toBe(true);
    // With nobody running, the command opens the folder itself (and leaves it free after).
    const offline = await runCli(["keys", "create", "--kind", "write"], env);
    expect(offline.code).toBe(0);
    expect(existsSync(lockPath(dir))).toBe(false);

    const again = await start(env);
    expect(again.child.pid).not.toBe(pid);
    // What the routed commands wrote survived the kill: the server had it, not a second copy.
    expect(await identify(again.url, writeKey)).toBe(200);
    expect(await identify(again.url, offline.stdout.trim())).toBe(200);
    expect(await identify(again.url, doomed.stdout.trim())).toBe(401);
    expect(await login(again.url, "ops@example.com", opsPassword)).not.toBe(201);
    expect(await login(again.url, "admin@waymark.local", reset.stdout.trim())).toBe(201);
    await again.stop();
    expect(existsSync(lockPath(dir))).toBe(false);
    expect(existsSync(join(dir, "admin.sock"))).toBe(false);
  }, 180_000);
});

describe("the first admin's one-time password", () => {
  it("is not lost when the first start fails on a busy port, and reset-password is a way back in", async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    const port = (busy.address() as { port: number }).port;
    const dir = tempDir();
    const env = { ...quick, WAYMARK_DATA_DIR: dir };
    try {
      const failed = await runCli(["start"], { ...env, PORT: String(port), HOST: "127.0.0.1" });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`port ${port} is already in use`);
    } finally {
      await new Promise((done) => busy.close(done));
    }
    expect(existsSync(lockPath(dir))).toBe(false);

    // The next start is the one that creates the admin, and prints the password.
    const first = await start(env);
    expect(first.adminPassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(await login(first.url, "admin@waymark.local", first.adminPassword ?? "")).toBe(201);
    await first.stop();

    // Not changed yet: every start says how to get a new one.
    const second = await start(env);
    expect(second.adminPassword).toBeNull();
    expect(second.stdout).toContain(
      "npx waymark operators reset-password --email admin@waymark.local",
    );
    await second.stop();

    const reset = await runCli(
      ["operators", "reset-password", "--email", "admin@waymark.local"],
      env,
    );
    expect(reset.code).toBe(0);
    const third = await start(env);
    expect(await login(third.url, "admin@waymark.local", first.adminPassword ?? "")).toBe(401);
    expect(await login(third.url, "admin@waymark.local", reset.stdout.trim())).toBe(201);
    await third.stop();
  }, 180_000);
});
