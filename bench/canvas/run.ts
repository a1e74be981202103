import type { BrowserContext } from "playwright-core";
import { validate } from "../../engine/index.ts";
import { chromiumPath, launchBrowser } from "../../tests/helpers/browser.ts";
import { runCli, startWaymark, tempDir } from "../../tests/helpers/server-process.ts";
import { writeSection } from "../lib/report.ts";
import { generatedJourney } from "./journey.ts";
import { PROBE, SETTLED } from "./probe.ts";

/**
 * How fast the editor opens a 300-node journey in headless Chromium, against the real server.
 * Times are `performance.now()` in the page, so from navigation start: the app shell, the
 * session check, the lazy editor chunk, the journey fetch and React Flow's render all count.
 *
 * - **nodes rendered**: the first frame where all 300 nodes are in the DOM and measured (React
 *   Flow hides a node until it knows its size, so this is when the user sees the journey).
 * - **fit view done**: when the viewport transform reached its final value (fitView applied;
 *   without positions: after the elkjs layout), judged once it has not changed for 1 s.
 */
const SIZE = 300;
const RUNS = 5;
const TARGET_MS = 1500;

if (!chromiumPath) {
  console.log("canvas bench skipped: Chromium not found (apt-get install -y chromium)");
  process.exit(0);
}

const env = { WAYMARK_DATA_DIR: tempDir("waymark-bench-canvas-"), WAYMARK_DEMO_SEED: "false" };
const secret = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
const server = await startWaymark(env);
const browser = await launchBrowser();

try {
  const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
  const scenarios = [
    { label: "saved positions", doc: generatedJourney("bench-300", SIZE, true) },
    { label: "no positions (elkjs layout)", doc: generatedJourney("bench-300-raw", SIZE, false) },
  ];
  for (const { doc } of scenarios) {
    const errors = validate(doc).filter((i) => i.severity === "error");
    if (errors.length) throw new Error(`generated journey is invalid: ${errors[0]?.message}`);
    const r = await fetch(`${server.url}/api/journeys`, {
      method: "POST",
      headers,
      body: JSON.stringify(doc),
    });
    if (r.status !== 201) throw new Error(`create ${doc.id}: ${r.status} ${await r.text()}`);
  }

  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const login = await context.request.post(`${server.url}/api/session`, {
    data: { email: "admin@waymark.local", password: server.adminPassword ?? "" },
  });
  if (!login.ok()) throw new Error(`login: ${login.status()}`);
  // The one-time password opens nothing but its own replacement (server/http/auth.ts).
  const own = await context.request.put(`${server.url}/api/me/password`, {
    data: { current: server.adminPassword ?? "", next: "canvas bench password" },
  });
  if (!own.ok()) throw new Error(`password change: ${own.status()}`);
  await context.addInitScript({ content: PROBE(SIZE) });

  const rows: string[] = [];
  for (const { label, doc } of scenarios) {
    const cold = await measure(context, `${server.url}/journeys/${doc.id}`);
    const warm: { nodes: number; fit: number }[] = [];
    for (let i = 0; i < RUNS; i++)
      warm.push(await measure(context, `${server.url}/journeys/${doc.id}`));
    const nodes = median(warm.map((m) => m.nodes));
    const fit = median(warm.map((m) => m.fit));
    console.log(`${label}: cold ${JSON.stringify(cold)}, warm ${JSON.stringify(warm)}`);
    const target =
      label === "saved positions" ? `< ${TARGET_MS} ms ${fit < TARGET_MS ? "✓" : "✗"}` : "";
    rows.push(
      `| ${SIZE} nodes, ${label} | ${fmt(nodes)} ms | ${fmt(fit)} ms | ${fmt(cold.nodes)} / ${fmt(cold.fit)} ms | ${target} |`,
    );
  }
  const table = `
Headless Chromium (Debian's), 1440×900, the editor at \`/journeys/:id\` served by \`waymark start\`
(PGlite). Times from navigation start; median of ${RUNS} warm loads (HTTP cache primed), then the
first, cold load. Run by \`npm run bench -- canvas\` (bench/canvas/run.ts).

| Journey | nodes rendered (median) | fit view done (median) | cold: rendered / fit | Target (fit view) |
| --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
  console.log(table);
  writeSection("canvas", "Canvas", table);
} finally {
  await browser.close();
  await server.stop();
}

async function measure(
  context: BrowserContext,
  url: string,
): Promise<{ nodes: number; fit: number }> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    // Polled with evaluate, not waitForFunction: that one compiles its predicate with `new
    // Function` in the page, which the console's Content-Security-Policy (no unsafe-eval)
    // refuses; evaluate runs through the DevTools protocol and leaves the CSP on.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const settled = (await page.evaluate(SETTLED)) as { nodes: number; fit: number } | null;
      if (settled) return settled;
      if (Date.now() > deadline) throw new Error(`the editor did not settle within 60 s: ${url}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await page.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
