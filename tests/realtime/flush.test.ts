import { describe, expect, it } from "vitest";
import {
  addBatch,
  type BatchChanges,
  emptyPending,
  takeFlush,
} from "../../server/realtime/flush.ts";

type LogRow = BatchChanges["log"][number];
const AT = new Date("2026-03-02T02:00:00Z");

const row = (over: Partial<LogRow>): LogRow => ({
  contact_id: 1,
  enrollment_id: 10,
  journey_id: "j",
  version_id: 1,
  node_id: "start",
  type: "entered",
  reason: null,
  detail: "entered on cart_abandoned",
  data: {},
  at: AT.toISOString(),
  ...over,
});

describe("coalescing ticker batches into one flush", () => {
  it("counts an entry at its first node: the trigger's −1 is offset by the `entered` row", () => {
    const pending = emptyPending();
    addBatch(pending, {
      moves: [{ journeyId: "j", from: "start", to: "wait1" }],
      log: [row({}), row({ type: "waiting", node_id: "wait1", detail: "waiting 1h" })],
    });
    expect(takeFlush(pending, AT)?.deltas).toEqual({ j: { wait1: 1 } });
  });

  it("takes ended enrollments off their node without putting them anywhere", () => {
    const pending = emptyPending();
    addBatch(pending, {
      moves: [
        { journeyId: "j", from: "clicked", to: "$completed" },
        { journeyId: "k", from: "wait1", to: "$exited" },
      ],
      log: [],
    });
    expect(takeFlush(pending, AT)?.deltas).toEqual({ j: { clicked: -1 }, k: { wait1: -1 } });
  });

  it("sums across batches, drops deltas that cancel out, and starts empty after a flush", () => {
    const pending = emptyPending();
    addBatch(pending, { moves: [{ journeyId: "j", from: "a", to: "b" }], log: [] });
    addBatch(pending, {
      moves: [
        { journeyId: "j", from: "b", to: "a" },
        { journeyId: "j", from: "a", to: "c" },
      ],
      log: [],
    });
    expect(takeFlush(pending, AT)).toEqual({
      at: AT.toISOString(),
      deltas: { j: { a: -1, c: 1 } },
      timeline: [],
    });
    expect(takeFlush(pending, AT)).toBeNull();
    addBatch(pending, {
      moves: [
        { journeyId: "j", from: "a", to: "b" },
        { journeyId: "j", from: "b", to: "a" },
      ],
      log: [],
    });
    expect(takeFlush(pending, AT)).toBeNull();
  });

  it("keeps timeline entries in commit order, in the inspector's shape", () => {
    const pending = emptyPending();
    addBatch(pending, {
      moves: [],
      log: [
        row({
          type: "sent",
          node_id: "sms1",
          detail: "sent",
          data: { channel: "sms", body: "Hi", idempotencyKey: "k1" },
        }),
        row({
          type: "deferred",
          node_id: "sms2",
          reason: "quiet_hours",
          detail: "deferred",
          data: { until: 5 },
        }),
      ],
    });
    addBatch(pending, {
      moves: [],
      log: [
        row({
          contact_id: 2,
          enrollment_id: 20,
          type: "exited",
          node_id: "done",
          reason: "exit_node",
          detail: "done",
        }),
      ],
    });
    const flush = takeFlush(pending, AT);
    expect(flush?.timeline).toEqual([
      {
        contactId: 1,
        enrollmentId: 10,
        journeyId: "j",
        entry: {
          at: AT.toISOString(),
          nodeId: "sms1",
          type: "sent",
          reason: null,
          detail: "sent",
          channel: "sms",
          body: "Hi",
          idempotencyKey: "k1",
        },
      },
      {
        contactId: 1,
        enrollmentId: 10,
        journeyId: "j",
        entry: {
          at: AT.toISOString(),
          nodeId: "sms2",
          type: "deferred",
          reason: "quiet_hours",
          detail: "deferred",
          until: 5,
        },
      },
      {
        contactId: 2,
        enrollmentId: 20,
        journeyId: "j",
        entry: {
          at: AT.toISOString(),
          nodeId: "done",
          type: "exited",
          reason: "exit_node",
          detail: "done",
        },
      },
    ]);
  });
});
