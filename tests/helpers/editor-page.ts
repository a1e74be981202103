import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { Journey } from "../../engine/index.ts";
import { launchBrowser, signIn, watchErrors } from "./browser.ts";
import { type Started, startWaymark, tempDir } from "./server-process.ts";

/**
 * The journey editor as browser tests drive it: the inspector, a node on the canvas, selecting
 * one, waiting for autosave, and reading the stored draft. `current` is read on each call,
 * because tests open the page and start the server in `beforeAll`.
 */
export function editorPage(current: () => { page: Page; url: string }) {
  const inspector = () => current().page.getByRole("complementary", { name: "Inspector" });
  const node = (id: string) => current().page.getByTestId(`node-${id}`);
  async function select(id: string) {
    await node(id).locator(".wm-node-title").click();
    await inspector().getByText(id, { exact: true }).waitFor();
  }
  return {
    inspector,
    node,
    select,
    async saved() {
      await expect
        .poll(() => current().page.getByTestId("save-state").textContent(), { timeout: 10_000 })
        .toBe("Saved");
    },
    async draft(id: string): Promise<Journey> {
      const { page, url } = current();
      const res = await page.request.get(`${url}/api/journeys/${id}`);
      return ((await res.json()) as { draft: Journey }).draft;
    },
    /** Stores a journey through the API as the signed-in operator (201, or the test fails). */
    async create(doc: unknown) {
      const { page, url } = current();
      const res = await page.request.post(`${url}/api/journeys`, { data: doc });
      expect(res.status(), await res.text()).toBe(201);
    },
    /** Opens a journey in the editor and selects one of its nodes, its form in the inspector. */
    async openNode(journeyId: string, nodeId: string) {
      const { page, url } = current();
      await page.goto(`${url}/journeys/${journeyId}`);
      await select(nodeId);
    },
  };
}

export interface ConsoleOptions {
  /** The server's environment besides a fresh `WAYMARK_DATA_DIR`. */
  env?: Record<string, string>;
  /**
   * Runs before the server starts, with its environment (e.g. `keys create` on the CLI, or a
   * fake provider started); what it returns is added to that environment.
   */
  prepare?: (env: Record<string, string>) => Promise<Record<string, string> | undefined>;
  /** `browser.newPage` options; a 1440 × 900 viewport unless given. */
  page?: Parameters<Browser["newPage"]>[0];
  /** The page's default timeout for waits and actions, where a test wants it shorter. */
  defaultTimeout?: number;
  /**
   * How long `waymark start` may take to print its banner: 120 s unless given, since seeding
   * the demo workspace took 124 s on a machine shared by several test runs (60 s was too short).
   */
  startTimeout?: number;
  /** The whole set-up's timeout (start, browser, sign-in): 180 s unless given. */
  setupTimeout?: number;
}

/**
 * A real `waymark start` and Chromium, signed in as the first admin, for one test file: starts
 * both in `beforeAll`, closes both in `afterAll`, and counts page errors from after the sign-in
 * (the signed-out check before it answers 401 by design). Everything on it is read when a test
 * runs, not when the file is loaded.
 */
export function signedInConsole(options: ConsoleOptions = {}) {
  let opened: { server: Started; browser: Browser; page: Page; errors: string[] } | undefined;
  const current = () => {
    if (!opened) throw new Error("the console is opened in beforeAll, not yet");
    return opened;
  };

  beforeAll(async () => {
    const base = { WAYMARK_DATA_DIR: tempDir(), ...options.env };
    const env = { ...base, ...(await options.prepare?.(base)) };
    const [started, launched] = await Promise.allSettled([
      startWaymark(env, options.startTimeout ?? 120_000),
      launchBrowser(),
    ]);
    // One of the two failing must not leave the other running after the file.
    if (started.status === "rejected" || launched.status === "rejected") {
      if (started.status === "fulfilled") await started.value.stop();
      if (launched.status === "fulfilled") await launched.value.close();
      throw started.status === "rejected"
        ? started.reason
        : (launched as PromiseRejectedResult).reason;
    }
    const server = started.value;
    const browser = launched.value;
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 },
      ...options.page,
    });
    if (options.defaultTimeout !== undefined) page.setDefaultTimeout(options.defaultTimeout);
    const errors = watchErrors(page);
    opened = { server, browser, page, errors };
    await signIn(page, server.url, server.adminPassword ?? "");
    errors.length = 0;
  }, options.setupTimeout ?? 180_000);

  afterAll(async () => {
    await opened?.browser.close();
    await opened?.server.stop();
  });

  /**
   * An API call as the signed-in operator: GET without a body, else POST (or `method`); the
   * status must be one of `status` (200 or 201 unless given), else the test fails with the body.
   */
  async function api<T>(
    path: string,
    body?: unknown,
    expected: { method?: "post" | "put"; status?: number[] } = {},
  ): Promise<T> {
    const { page, server } = current();
    const url = `${server.url}${path}`;
    const res =
      body === undefined
        ? await page.request.get(url)
        : await page.request[expected.method ?? "post"](url, { data: body });
    expect(expected.status ?? [200, 201], `${path}: ${await res.text()}`).toContain(res.status());
    return (await res.json()) as T;
  }
  let writeKey: Promise<string> | undefined;
  /**
   * Sends a Segment-style call (`/v1/identify`, `/v1/track`…) with a write key made for this
   * file on first use, as a customer's backend does; it must answer 200.
   */
  async function ingest(path: string, body: unknown): Promise<void> {
    writeKey ??= api<{ key: string }>("/api/keys", { kind: "write", name: "browser" }).then(
      (k) => k.key,
    );
    const key = await writeKey;
    const res = await current().page.request.post(`${current().server.url}${path}`, {
      data: body,
      headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
    });
    expect(res.status(), path).toBe(200);
  }

  return {
    get server() {
      return current().server;
    },
    get browser() {
      return current().browser;
    },
    get page() {
      return current().page;
    },
    get url() {
      return current().server.url;
    },
    /** Uncaught errors, console errors and 5xx answers since the sign-in. */
    get errors() {
      return current().errors;
    },
    api,
    ingest,
    ...editorPage(() => ({ page: current().page, url: current().server.url })),
  };
}
