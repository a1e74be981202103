import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { runCli } from "../helpers/server-process.ts";

/**
 * Every setting the server reads comes through loadConfig: a value it cannot use is refused at
 * start with a message naming the variable, never read as the default or left to fail later.
 */
describe("loadConfig", () => {
  const refused = (env: Record<string, string>, message: RegExp) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  };

  it("gives the documented defaults for an empty environment", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: undefined,
      logLevel: "info",
      demoSeed: true,
      serveClient: true,
      secureCookies: false,
      runWorkers: true,
      tickBatch: undefined,
      tickBatchMs: 100,
      tickConcurrency: 1,
      dbPool: 10,
      ingestConcurrency: 2,
      workspaceTimezone: "UTC",
      audienceScanMs: 60_000,
      housekeepingMs: 10_000,
    });
  });

  it("reads switches as true or false in the spellings operators use, and refuses others", () => {
    for (const v of ["true", "TRUE", "1", "yes", "On", " true "])
      expect(loadConfig({ WAYMARK_SECURE_COOKIES: v }).secureCookies).toBe(true);
    for (const v of ["false", "0", "no", "OFF"])
      expect(loadConfig({ WAYMARK_DEMO_SEED: v }).demoSeed).toBe(false);
    refused({ WAYMARK_SECURE_COOKIES: "ture" }, /WAYMARK_SECURE_COOKIES must be true or false/);
    refused({ WAYMARK_WORKERS: "disabled" }, /WAYMARK_WORKERS must be true or false/);
    refused({ WAYMARK_SERVE_CLIENT: "no\u0000" }, /WAYMARK_SERVE_CLIENT/);
  });

  it("refuses numbers out of range or not whole, naming the variable", () => {
    for (const v of ["abc", "5", "20000", "-1", "100.5"])
      refused({ WAYMARK_TICK_BATCH_MS: v }, /WAYMARK_TICK_BATCH_MS must be an integer between 10/);
    refused({ WAYMARK_TICK_CONCURRENCY: "0" }, /WAYMARK_TICK_CONCURRENCY .* between 1 and 64/);
    refused({ PORT: "70000" }, /PORT must be an integer/);
    refused({ WAYMARK_DB_POOL: "1" }, /WAYMARK_DB_POOL/);
    refused({ WAYMARK_AUDIENCE_SCAN_MS: "0" }, /WAYMARK_AUDIENCE_SCAN_MS/);
    expect(loadConfig({ WAYMARK_TICK_BATCH: "800" }).tickBatch).toBe(800);
  });

  it("refuses a secret shorter than 32 characters without echoing it", () => {
    refused(
      { WAYMARK_SECRET: "hunter2" },
      /WAYMARK_SECRET must be at least 32 characters \(got 7\)/,
    );
    expect(() => loadConfig({ WAYMARK_SECRET: "hunter2" })).not.toThrow(/hunter2/);
    expect(loadConfig({ WAYMARK_SECRET: "x".repeat(32) }).secret).toBe("x".repeat(32));
  });

  it("refuses an unknown workspace zone or log level", () => {
    expect(loadConfig({ WAYMARK_TIMEZONE: "Asia/Shanghai" }).workspaceTimezone).toBe(
      "Asia/Shanghai",
    );
    for (const v of ["Mars/Olympus", "UTC\u0000", "__proto__", "+8"])
      refused({ WAYMARK_TIMEZONE: v }, /WAYMARK_TIMEZONE must be an IANA time zone/);
    expect(loadConfig({ LOG_LEVEL: "debug" }).logLevel).toBe("debug");
    refused({ LOG_LEVEL: "verbose" }, /LOG_LEVEL must be one of fatal, error, warn, info/);
  });

  it("stops `waymark start` with one line naming the variable, before touching the data folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "waymark-config-"));
    const dataDir = join(dir, "data");
    const { code, stdout, stderr } = await runCli(["start"], {
      WAYMARK_TIMEZONE: "Mars/Olympus",
      WAYMARK_DATA_DIR: dataDir,
      PORT: "0",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/WAYMARK_TIMEZONE must be an IANA time zone.*"Mars\/Olympus"/);
    expect(stdout).not.toContain("Waymark is running");
    expect(readdirSync(dir)).toEqual([]);
  });
});
