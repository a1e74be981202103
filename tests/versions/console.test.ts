import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../client/src/api.ts";
import { edgeKey } from "../../client/src/editor/mapping.ts";
import { auditWhat, auditWho } from "../../client/src/editor/versions/audit-text.ts";
import { compareCanvas } from "../../client/src/editor/versions/compare.ts";
import { draftLabel, draftState } from "../../client/src/editor/versions/draft-state.ts";
import { i18n } from "../../client/src/i18n/index.ts";
import { diffJourneys } from "../../engine/diff/diff.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { cartReminder } from "../helpers/journeys.ts";

const en = i18n.getFixedT("en");
const zh = i18n.getFixedT("zh-CN");

const live = (() => {
  const r = parseJourney(cartReminder("c"));
  if (!r.ok) throw new Error("fixture");
  return r.journey;
})();

describe("the console's versions logic (pure)", () => {
  it("words the header's draft-vs-live line for every state", () => {
    const same = diffJourneys(live, live);
    const edited: Journey = {
      ...live,
      name: "Renamed",
      nodes: live.nodes.filter((n) => n.id !== "sms2"),
      edges: live.edges.filter((e) => e.to !== "sms2" && e.from !== "sms2"),
    };
    const differs = diffJourneys(live, edited);
    expect(draftLabel(en, draftState(null, null), "draft")).toBe("Draft · not published yet");
    expect(draftLabel(en, draftState(2, null), "live")).toBe("Draft · comparing with live v2…");
    expect(draftLabel(en, draftState(2, same), "live")).toBe("Draft = live v2");
    expect(draftLabel(en, draftState(2, differs), "live")).toBe(
      "Draft — differs from live v2 (2 changes)",
    );
    expect(draftLabel(en, draftState(3, same), "paused")).toBe("Draft = paused v3");
    expect(draftLabel(zh, draftState(null, null), "draft")).toBe("草稿 · 尚未发布");
    expect(draftLabel(zh, draftState(2, differs), "live")).toBe(
      "草稿 — 与线上的 v2 不同（2 处改动）",
    );
    expect(draftLabel(zh, draftState(3, same), "archived")).toBe("草稿 = 已归档的 v3");
  });

  it("paints a comparison: removed steps and connections drawn back in, every node classed", () => {
    const to: Journey = {
      ...live,
      nodes: [
        ...live.nodes.filter((n) => n.id !== "sms2"),
        { id: "wait2", type: "wait", wait: { kind: "duration", duration: "P1D" } },
      ],
      edges: [
        ...live.edges.filter((e) => e.to !== "sms2" && e.from !== "sms2"),
        { from: "clicked", to: "wait2", path: "no" },
        { from: "wait2", to: "done" },
      ],
    };
    const { doc, marks } = compareCanvas(live, to, diffJourneys(live, to));
    expect(doc.nodes.map((n) => n.id)).toEqual([...to.nodes.map((n) => n.id), "sms2"]);
    expect(marks.nodes.get("sms2")).toBe("wm-diff-removed");
    expect(marks.nodes.get("wait2")).toBe("wm-diff-added");
    expect(marks.nodes.get("start")).toBe("wm-diff-same");
    expect(marks.edges.get(edgeKey({ from: "sms2", to: "done" }))).toBe("is-removed");
    expect(marks.edges.get(edgeKey({ from: "wait2", to: "done" }))).toBe("is-added");
    expect(marks.edges.get(edgeKey({ from: "start", to: "wait1" }))).toBe("is-same");
  });

  it("words audit entries, and still shows actions it does not know", () => {
    const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({
      id: 1,
      at: "2026-03-02T02:00:00.000Z",
      actor: { kind: "key", id: 3, name: "ci", role: "admin" },
      action,
      subject: { type: "journey", id: "win-back" },
      details,
    });
    expect(
      auditWhat(
        en,
        entry("journey.publish", {
          version: 2,
          previousVersion: 1,
          inFlight: "migrate",
          migrated: 12,
          exited: 1,
          changes: { changes: 3 },
        }),
      ),
    ).toBe("Published v2 (3 changes) and moved 12 users (1 exited)");
    expect(auditWhat(en, entry("journey.publish", { version: 1, previousVersion: null }))).toBe(
      "Published v1",
    );
    expect(auditWhat(en, entry("journey.revert", { version: 1 }))).toBe("Made v1 the draft");
    expect(auditWhat(en, entry("journey.unarchive", { status: "paused" }))).toBe(
      "Unarchived the journey (paused)",
    );
    expect(auditWhat(en, entry("journey.unarchive", { status: "draft" }))).toBe(
      "Unarchived the journey as a draft",
    );
    expect(auditWhat(en, entry("settings.update", { changed: ["quietHours.start"] }))).toBe(
      "Changed the sending policy: quietHours.start",
    );
    expect(auditWhat(en, entry("contacts.phone_search", {}))).toBe(
      "contacts.phone_search journey win-back",
    );
    expect(auditWho(en, entry("journey.pause", {}))).toBe("API key “ci”");
    expect(
      auditWhat(
        en,
        entry("operator.role", {
          email: "li@x.cn",
          from: "marketer",
          to: "support",
          keysStopped: 1,
        }),
      ),
    ).toBe("Made li@x.cn support (was marketer); 1 secret key stopped");
    expect(auditWhat(en, entry("journey.archive", { exited: 1234 }))).toBe(
      "Archived the journey (1,234 users exited)",
    );
  });

  it("words audit entries in 简体中文 from the same codes and details", () => {
    const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({
      id: 1,
      at: "2026-03-02T02:00:00.000Z",
      actor: { kind: "key", id: 3, name: "ci", role: "admin" },
      action,
      subject: { type: "journey", id: "win-back" },
      details,
    });
    const publish = {
      version: 2,
      previousVersion: 1,
      inFlight: "migrate",
      migrated: 12,
      exited: 1,
      changes: { changes: 3 },
    };
    expect(auditWhat(zh, entry("journey.publish", publish))).toBe(
      "发布了 v2（3 处改动），并迁移了 12 位用户（1 位退出）",
    );
    expect(auditWhat(zh, entry("journey.publish", { version: 1, previousVersion: null }))).toBe(
      "发布了 v1",
    );
    expect(auditWhat(zh, entry("journey.revert", { version: 1 }))).toBe("将 v1 设为草稿");
    expect(auditWhat(zh, entry("journey.archive", { exited: 1234 }))).toBe(
      "归档了旅程（1,234 位用户退出）",
    );
    expect(auditWhat(zh, entry("settings.update", { changed: ["quietHours.start", "caps"] }))).toBe(
      "修改了发送策略：quietHours.start、caps",
    );
    expect(
      auditWhat(
        zh,
        entry("operator.role", {
          email: "li@x.cn",
          from: "marketer",
          to: "support",
          keysStopped: 2,
        }),
      ),
    ).toBe("将 li@x.cn 设为客服（原为营销人员）；2 个私密密钥失效");
    expect(auditWhat(zh, entry("operator.create", { email: "li@x.cn", role: "admin" }))).toBe(
      "添加了 li@x.cn，角色为管理员",
    );
    expect(auditWho(zh, entry("journey.pause", {}))).toBe("API 密钥“ci”");
    // An action added later still reads, as recorded.
    expect(auditWhat(zh, entry("contacts.phone_search", {}))).toBe(
      "contacts.phone_search journey win-back",
    );
  });
});
