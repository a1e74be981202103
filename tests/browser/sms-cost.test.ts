import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countSegments } from "../../engine/sms/index.ts";
import { ARTIFACTS, chromiumPath } from "../helpers/browser.ts";
import { signedInConsole } from "../helpers/editor-page.ts";
import { oneSend } from "../helpers/journeys.ts";

/**
 * Issue #16 in Chromium against the real server: what the send step's form says a message costs
 * is what the ticker sends (item 2), and a misspelt template variable is a warning on the node
 * (item 4).
 */
describe.runIf(chromiumPath)("the builder's cost and template checks in Chromium", () => {
  const ui = signedInConsole();

  const { inspector, node, openNode } = ui;
  async function api(method: "get" | "post" | "put", path: string, data?: unknown) {
    const url = `${ui.url}${path}`;
    const res =
      method === "get"
        ? await ui.page.request.get(url)
        : await ui.page.request[method](url, data === undefined ? {} : { data });
    return { status: res.status(), body: (await res.json()) as Record<string, unknown> };
  }
  /** The SMS step of a journey whose one send is `template`. */
  const smsJourney = (id: string, template: string) =>
    oneSend(id, { channel: "sms", category: "promotional", template }, "sms1");

  it("the parts counter equals the parts of the message the ticker sends", async () => {
    // Whenever this runs: no quiet hours and no consent needed, so the send is written at once.
    const settings = await api("get", "/api/settings");
    const policy = settings.body.policy as Record<string, unknown>;
    expect(
      (
        await api("put", "/api/settings", {
          policy: { ...policy, quietHours: null, consentRequired: { promotional: false } },
        })
      ).status,
    ).toBe(200);
    // 106 characters, a tracked link and the opt-out line: with the old 23-character
    // placeholder 151 characters and 1 part; with the server's own 46-47, 174-175 and 2 parts.
    const text =
      "Spring sale: 20% off everything today only, ends at midnight. Shop now with code SPRING20 before it ends: ";
    expect(text.length).toBe(106);
    const template = `${text}{{ "https://shop.example.com/sale" | track }}`;
    expect((await api("post", "/api/journeys", smsJourney("cost-link", template))).status).toBe(
      201,
    );

    await openNode("cost-link", "sms1");
    const note = inspector().getByTestId("sms-link-note");
    await expect.poll(() => note.textContent()).toContain(`${ui.url}/l/`);
    const stats = inspector().getByTestId("sms-stats");
    const shown = {
      characters: Number(await stats.locator("dt:text('Characters') + dd").textContent()),
      encoding: await stats.locator("dt:text('Encoding') + dd").textContent(),
      parts: Number((await stats.locator("dt:text('Parts') + dd").textContent())?.split(" ")[0]),
    };
    const previewed = (await inspector().getByTestId("sms-body").textContent()) ?? "";
    await inspector()
      .getByLabel("SMS preview")
      .screenshot({ path: join(ARTIFACTS, "sms-cost-preview.png") });

    expect((await api("post", "/api/journeys/cost-link/publish", {})).status).toBe(200);
    expect((await api("post", "/api/journeys/cost-link/enroll", { userId: "cost-1" })).status).toBe(
      201,
    );
    let sent: { body: string; encoding: string; parts: number } | undefined;
    await expect
      .poll(
        async () => {
          const r = await api("get", "/api/messages?journey=cost-link");
          sent = (r.body.messages as (typeof sent)[])[0];
          return sent !== undefined;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    if (!sent) return;
    const token = /\/l\/[A-Za-z0-9_-]{22}/g;
    expect(previewed.replace(token, "/l/T")).toBe(sent.body.replace(token, "/l/T"));
    expect(shown).toEqual({
      characters: countSegments(sent.body).characters,
      encoding: sent.encoding,
      parts: sent.parts,
    });
    expect(sent.parts).toBe(2);
    expect(ui.errors).toEqual([]);
  });

  it("a misspelt template variable is a warning on the node, with what was meant", async () => {
    // The demo seed's contacts have firstName; its purchased events carry amount, item, currency.
    const doc = smsJourney("typo", "Hi {{ user.fristName }}, sale today: {{ event.itme }}");
    const withEvent = {
      ...doc,
      nodes: doc.nodes.map((n) =>
        n.id === "start" ? { ...n, trigger: { kind: "event", event: "purchased" } } : n,
      ),
    };
    expect((await api("post", "/api/journeys", withEvent)).status).toBe(201);
    await openNode("typo", "sms1");
    await expect
      .poll(() => node("sms1").getAttribute("data-issues"), { timeout: 10_000 })
      .toBe("template_unknown_attribute template_unknown_event_property");
    await expect.poll(() => node("sms1").locator(".wm-issue-badge").textContent()).toBe("2");
    await inspector().getByText("did you mean user.firstName?").waitFor();
    await inspector().getByText("did you mean event.item?").waitFor();
    // The chips offer what contacts and the trigger's event have, not a fixed list.
    const chips = inspector().getByRole("group", { name: "Insert a variable" });
    await chips.getByRole("button", { name: "user.region" }).waitFor();
    await chips.getByRole("button", { name: "event.item" }).waitFor();
    expect(await chips.getByRole("button", { name: "user.city" }).count()).toBe(0);
    await ui.page.screenshot({ path: join(ARTIFACTS, "template-unknown-attribute.png") });

    // The marketer fixes one and gives the other a fallback: the warnings go.
    await inspector()
      .getByLabel("Message")
      .fill('Hi {{ user.firstName }}, sale today: {{ event.itme | default: "your item" }}');
    await expect.poll(() => node("sms1").getAttribute("data-issues")).toBe("");
    expect(ui.errors).toEqual([]);
  });
});
