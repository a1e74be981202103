import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../client/src/api.ts";
import { edgeKey } from "../../client/src/editor/mapping.ts";
import { auditWhat, auditWho } from "../../client/src/editor/versions/audit-text.ts";
import { compareCanvas } from "../../client/src/editor/versions/compare.ts";
import { draftLabel, draftState } from "../../client/src/editor/versions/draft-state.ts";
import { diffJourneys } from "../../engine/diff/diff.ts";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { cartReminder } from "../helpers/journeys.ts";

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
    expect(draftLabel(draftState(null, null), "draft")).toBe("Draft · not published yet");
    expect(draftLabel(draftState(2, null), "live")).toBe("Draft · comparing with live v2…");
    expect(draftLabel(draftState(2, same), "live")).toBe("Draft = live v2");
    expect(draftLabel(draftState(2, differs), "live")).toBe(
      "Draft — differs from live v2 (2 changes)",
    );
    expect(draftLabel(draftState(3, same), "paused")).toBe("Draft = paused v3");
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
    expect(auditWhat(entry("journey.publish", { version: 1, previousVersion: null }))).toBe(
      "Published v1",
    );
    expect(auditWhat(entry("journey.revert", { version: 1 }))).toBe("Made v1 the draft");
    expect(auditWhat(entry("journey.unarchive", { status: "paused" }))).toBe(
      "Unarchived the journey (paused)",
    );
    expect(auditWhat(entry("journey.unarchive", { status: "draft" }))).toBe(
      "Unarchived the journey as a draft",
    );
    expect(auditWhat(entry("settings.update", { changed: ["quietHours.start"] }))).toBe(
      "Changed the sending policy: quietHours.start",
    );
    expect(auditWhat(entry("contacts.phone_search", {}))).toBe(
      "contacts.phone_search journey win-back",
    );
    expect(auditWho(entry("journey.pause", {}))).toBe("API key “ci”");
  });
});
