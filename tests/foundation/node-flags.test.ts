import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { NODE_FLAGS } from "../../server/cli/node-flags.ts";

/**
 * The V8 flags long-running processes start with (server/cli/node-flags.ts) reach every way
 * they are started: `npm start`, the `waymark` bin's shebang (what `npx waymark worker` runs),
 * and the processes the benchmarks and the tests' servers start from the constant itself.
 */
const root = resolve(import.meta.dirname, "../..");

describe("node flags", () => {
  it("npm start and the bin's shebang pass exactly NODE_FLAGS", () => {
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`node ${NODE_FLAGS.join(" ")} bin/waymark.js start`);
    const shebang = readFileSync(resolve(root, "bin/waymark.js"), "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(" ")}`);
  });

  it("the bin runs through its shebang (env -S splits the flags)", () => {
    const out = execFileSync(resolve(root, "bin/waymark.js"), ["--help"], { encoding: "utf8" });
    expect(out).toContain("waymark");
    expect(out).toContain("worker");
  });
});
