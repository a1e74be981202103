import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyChange } from "../../client/src/editor/changes.ts";
import { layoutJourney } from "../../client/src/editor/layout.ts";
import { previewSms } from "../../client/src/editor/panel/sms-preview.ts";
import { type Journey, JourneySchema } from "../../engine/index.ts";
import { DEFAULT_LINK_SHAPE } from "../../engine/sms/index.ts";

const journey = { id: "j", name: "Spring sale" };
const FACTS = { linkShape: DEFAULT_LINK_SHAPE };

describe("the live SMS preview (engine template + opt-out + segments)", () => {
  it("renders with the sample contact and appends the opt-out line to promotional SMS", () => {
    const p = previewSms(
      { channel: "sms", category: "promotional", template: "Hi {{ user.firstName }}" },
      "en",
      journey,
      FACTS,
    );
    expect(p).toMatchObject({
      ok: true,
      body: "Hi Alex\nReply STOP to opt out",
      optOutAppended: true,
      segments: { encoding: "GSM-7", parts: 1, characters: 29, perPart: 160 },
    });
  });

  it("uses the Chinese line and UCS-2 for a zh-CN contact, and the node's locale wins", () => {
    const zh = previewSms(
      { channel: "sms", category: "promotional", template: "{{ user.firstName }}，您的购物车还在" },
      "zh-CN",
      journey,
      FACTS,
    );
    expect(zh.ok && zh.body).toBe("小美，您的购物车还在 回TD退订");
    expect(zh.ok && zh.segments.encoding).toBe("UCS-2");
    const pinned = previewSms(
      { channel: "sms", category: "promotional", template: "Hi", locale: "zh-CN" },
      "en",
      journey,
      FACTS,
    );
    expect(pinned.ok && pinned.body).toBe("Hi 回TD退订");
  });

  it("adds no opt-out line to transactional messages and counts parts", () => {
    const long = "x".repeat(161);
    const p = previewSms(
      { channel: "sms", category: "transactional", template: long },
      "en",
      journey,
      FACTS,
    );
    expect(p).toMatchObject({
      ok: true,
      optOutAppended: false,
      segments: { parts: 2, perPart: 153 },
    });
  });

  it("counts a tracked link as long as the server mints it, and the workspace's opt-out line", () => {
    // The issue #16 message: 132 characters of text, a tracked link, the opt-out line.
    const text = `Hi {{ user.firstName }}! ${"x".repeat(100)} {{ "https://shop.example.com/sale" | track }}`;
    const spec = { channel: "sms", category: "promotional", template: text } as const;
    const shape = { base: "http://127.0.0.1:41234", tokenLength: 22 };
    const p = previewSms(spec, "en", journey, { linkShape: shape });
    const link = "http://127.0.0.1:41234/l/a1B2c3D4e5F6g7H8i9J0kL";
    expect(p.ok && p.sampleLink).toBe(link);
    expect(p.ok && p.body).toBe(`Hi Alex! ${"x".repeat(100)} ${link}\nReply STOP to opt out`);
    // 9 + 100 + 1 + 47 + 1 + 21 = 179: two parts, where the old 23-character placeholder
    // link made 155 and one part.
    expect(p.ok && p.segments).toMatchObject({ characters: 179, parts: 2 });
    const custom = previewSms(spec, "en", journey, {
      linkShape: shape,
      optOutLines: { en: "STOP=stop" },
    });
    expect(custom.ok && custom.body.endsWith("\nSTOP=stop")).toBe(true);
  });

  it("lists variables the sample contact lacks and reports template errors", () => {
    const p = previewSms(
      { channel: "sms", category: "service", template: "{{ user.vipTier }} {{ journey.name }}" },
      "en",
      journey,
      FACTS,
    );
    expect(p.ok && p.missing).toEqual(["user.vipTier"]);
    expect(p.ok && p.body).toBe(" Spring sale");
    const bad = previewSms(
      { channel: "sms", category: "service", template: "{{ user.name | nope }}" },
      "en",
      journey,
      FACTS,
    );
    expect(bad.ok).toBe(false);
  });
});

describe("auto-layout (elkjs, layered, left to right)", () => {
  it("places every node, left to right along the edges, yes above no", async () => {
    const file = join(import.meta.dirname, "../../examples/journeys/cart-reminder.json");
    const doc: Journey = JourneySchema.parse(JSON.parse(readFileSync(file, "utf8")));
    const positions = await layoutJourney(doc);
    expect([...positions.keys()].sort()).toEqual(doc.nodes.map((n) => n.id).sort());
    const x = (id: string) => positions.get(id)?.x ?? Number.NaN;
    const y = (id: string) => positions.get(id)?.y ?? Number.NaN;
    expect(x("start")).toBeLessThan(x("wait1"));
    expect(x("wait1")).toBeLessThan(x("sms1"));
    expect(x("clicked")).toBeLessThan(x("cool"));
    expect(x("cool")).toBeLessThan(x("done"));
    expect(Number.isNaN(y("done"))).toBe(false);
    // Applied as one move change, positions land in the document.
    const moved = applyChange(doc, { type: "move", positions: Object.fromEntries(positions) });
    expect(moved.nodes.every((n) => n.position)).toBe(true);
  });

  it("keeps a branch's yes lane above its no lane", async () => {
    const doc: Journey = {
      format: "waymark/journey@1",
      id: "b",
      name: "B",
      nodes: [
        { id: "t", type: "trigger", trigger: { kind: "api" } },
        { id: "b", type: "branch", branch: { kind: "condition", conditions: [] } },
        { id: "no", type: "exit" },
        { id: "yes", type: "exit" },
      ],
      edges: [
        { from: "t", to: "b" },
        { from: "b", to: "no", path: "no" },
        { from: "b", to: "yes", path: "yes" },
      ],
    };
    const p = await layoutJourney(doc);
    expect(p.get("yes")?.y ?? 0).toBeLessThan(p.get("no")?.y ?? 0);
  });
});
