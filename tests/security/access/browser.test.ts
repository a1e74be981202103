import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ARTIFACTS,
  chromiumPath,
  launchBrowser,
  signIn,
  watchErrors,
} from "../../helpers/browser.ts";
import { cartReminder } from "../../helpers/journeys.ts";
import { runCli, type Started, startWaymark, tempDir } from "../../helpers/server-process.ts";

/**
 * Issue 14, item 9, replayed in Chromium: the victim is signed in to the console at
 * http://127.0.0.1:<port>; a page served from another port of 127.0.0.1 (same site, so the Lax
 * session cookie travels) auto-submits `text/plain` forms to pause one journey and publish
 * another, posts the same with fetch, and opens a socket.io connection to read live counts.
 * All refused, the journeys unchanged; the console itself keeps working.
 */
describe.runIf(chromiumPath)("cross-site forgery from another port, in Chromium", () => {
  let server: Started;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl: string;
  let bearer: Record<string, string>;
  let page: Page;
  let errors: string[];

  const attackPage = (target: string) => {
    const ws = target.replace(/^http/, "ws");
    return `<!doctype html><title>You won a prize</title>
<iframe name="f1"></iframe><iframe name="f2"></iframe>
<form id="pause" method="POST" enctype="text/plain" target="f1"
      action="${target}/api/journeys/cart-reminder/pause"><input name='{"a":"' value='"}'></form>
<form id="publish" method="POST" enctype="text/plain" target="f2"
      action="${target}/api/journeys/win-back/publish"><input name='{"a":"' value='"}'></form>
<script>
  window.report = { ws: [], fetches: [] };
  document.getElementById("pause").submit();
  document.getElementById("publish").submit();
  for (const path of ["/api/journeys/win-back/publish", "/api/journeys/cart-reminder/pause"]) {
    fetch("${target}" + path, { method: "POST", mode: "no-cors", credentials: "include",
      headers: { "content-type": "text/plain" }, body: "{}" })
      .then(() => window.report.fetches.push("sent"), (e) => window.report.fetches.push(String(e)));
  }
  // socket.io's wire protocol by hand: engine.io open (0), namespace connect (40), then a
  // subscribe event (42). The server answers 40{sid} to accept, 44{...} to refuse.
  const ws = new WebSocket("${ws}/socket.io/?EIO=4&transport=websocket");
  ws.onmessage = (e) => {
    const m = String(e.data);
    window.report.ws.push(m);
    if (m.startsWith("0{")) ws.send("40");
    if (m.startsWith("40{")) ws.send('42["subscribe",{"journey":"cart-reminder"}]');
    if (m === "2") ws.send("3");
  };
  ws.onclose = () => window.report.ws.push("closed");
</script>`;
  };

  beforeAll(async () => {
    const env = { WAYMARK_DATA_DIR: tempDir(), WAYMARK_DEMO_SEED: "false" };
    const secretKey = (await runCli(["keys", "create", "--kind", "secret"], env)).stdout.trim();
    [server, browser] = await Promise.all([startWaymark(env), launchBrowser()]);
    bearer = { authorization: `Bearer ${secretKey}`, "content-type": "application/json" };
    for (const id of ["cart-reminder", "win-back"]) {
      const res = await fetch(`${server.url}/api/journeys`, {
        method: "POST",
        headers: bearer,
        body: JSON.stringify(cartReminder(id)),
      });
      expect(res.status).toBe(201);
    }
    const live = await fetch(`${server.url}/api/journeys/cart-reminder/publish`, {
      method: "POST",
      headers: bearer,
    });
    expect(live.status).toBe(200);

    attacker = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(attackPage(server.url));
    });
    await new Promise<void>((done) => attacker.listen(0, "127.0.0.1", done));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    errors = watchErrors(page);
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (attacker ? attacker.close(() => done()) : done()));
    await server?.stop();
  });

  const statuses = async () => {
    const out: Record<string, string> = {};
    for (const id of ["cart-reminder", "win-back"]) {
      const res = await fetch(`${server.url}/api/journeys/${id}`, { headers: bearer });
      out[id] = ((await res.json()) as { status: string }).status;
    }
    return out;
  };

  it("refuses the forms, the fetches and the socket; the journeys stay as they were", async () => {
    expect(await statuses()).toEqual({ "cart-reminder": "live", "win-back": "draft" });
    const victim = await page.context().newPage();
    const answers: { url: string; status: number }[] = [];
    const sent: { url: string; cookie: string }[] = [];
    victim.on("request", async (r) => {
      if (r.url().startsWith(`${server.url}/api/`) && r.method() === "POST")
        sent.push({ url: r.url(), cookie: (await r.allHeaders()).cookie ?? "" });
    });
    victim.on("response", (r) => {
      if (r.url().startsWith(`${server.url}/api/`))
        answers.push({ url: r.url(), status: r.status() });
    });
    await victim.goto(attackerUrl);
    await expect
      .poll(
        () => victim.evaluate(() => (window as unknown as { report: { ws: string[] } }).report.ws),
        {
          timeout: 10_000,
        },
      )
      .toEqual(expect.arrayContaining([expect.stringMatching(/^44/)]));
    const report = (await victim.evaluate(
      () => (window as unknown as { report: { ws: string[]; fetches: string[] } }).report,
    )) as { ws: string[]; fetches: string[] };
    // The namespace refused the handshake: no session id, no counts.
    expect(report.ws.some((m) => m.startsWith("40{"))).toBe(false);
    expect(report.ws.join("\n")).not.toContain('"counts"');
    expect(report.ws.find((m) => m.startsWith("44"))).toContain("forbidden");
    // Every forged write was sent. The forms' answers reach the browser (not the
    // page): 415. The fetches' answers the browser withholds from the page (helmet's
    // Cross-Origin-Resource-Policy), so the page sees "Failed to fetch" — after the server
    // refused them too, which the unchanged journeys below show.
    await expect.poll(() => sent.length).toBe(4);
    // The forms carried the victim's session cookie (same site: another port is no other site).
    // (Playwright cannot show the headers of the fetches, whose answers were blocked.)
    expect(sent.filter((r) => r.cookie.includes("waymark_session="))).toHaveLength(2);
    await expect.poll(() => answers.length).toBe(2);
    for (const a of answers) expect([a.url, a.status]).toEqual([a.url, 415]);
    expect(report.fetches).toEqual(["TypeError: Failed to fetch", "TypeError: Failed to fetch"]);
    expect(await statuses()).toEqual({ "cart-reminder": "live", "win-back": "draft" });
    await victim.screenshot({ path: join(ARTIFACTS, "csrf-attacker-page.png") });
    await victim.close();
  });

  it("still serves the console: its own writes and its live socket", async () => {
    await page.goto(`${server.url}/journeys/cart-reminder`);
    await page.getByTestId("node-sms1").waitFor();
    // The console's own requests, from its page: same origin, so they go through.
    const results = await page.evaluate(async () => {
      const pause = await fetch("/api/journeys/cart-reminder/pause", { method: "POST" });
      const resume = await fetch("/api/journeys/cart-reminder/resume", { method: "POST" });
      const ws = await new Promise<string>((done) => {
        const s = new WebSocket(`ws://${location.host}/socket.io/?EIO=4&transport=websocket`);
        s.onmessage = (e) => {
          const m = String(e.data);
          if (m.startsWith("0{")) s.send("40");
          else {
            s.close();
            done(m);
          }
        };
      });
      return { pause: pause.status, resume: resume.status, ws };
    });
    expect(results.pause).toBe(200);
    expect(results.resume).toBe(200);
    expect(results.ws).toMatch(/^40\{"sid":/);
    expect(await statuses()).toEqual({ "cart-reminder": "live", "win-back": "draft" });
    expect(errors).toEqual([]);
  });

  it("Settings → API keys: a secret key gets a role, and the list shows it", async () => {
    await page.goto(`${server.url}/settings`);
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    const form = page.getByRole("form", { name: "Create an API key" });
    await form.getByLabel("Key name").fill("prometheus");
    await form.getByLabel("Kind").selectOption("secret");
    const role = form.getByLabel("Role");
    expect(await role.locator("option").allTextContents()).toHaveLength(5); // an admin: any role
    await role.selectOption("metrics");
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = page.getByTestId("one-time-secret");
    await secret.waitFor();
    const key = (await secret.locator("code").textContent()) ?? "";
    expect(key).toMatch(/^sk_/);
    const row = page
      .getByRole("table", { name: "API keys" })
      .getByRole("row", { name: /prometheus/ });
    expect(await row.getByTestId("key-role").textContent()).toBe("metrics");
    await page.screenshot({ path: join(ARTIFACTS, "settings-key-roles.png"), fullPage: true });
    // The key does what its role says, and nothing more.
    const scrape = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(scrape.status).toBe(200);
    const other = await fetch(`${server.url}/api/journeys`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(other.status).toBe(403);
    expect(errors).toEqual([]);
  });
});
