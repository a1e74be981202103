import type { IssueCode } from "../../engine/index.ts";
import { doc } from "./helpers.ts";
import { CONTENT_CASES } from "./validate-content-cases.ts";
import { branch, evBranch, type IssueCase, send, T, wait, X } from "./validate-nodes.ts";

/**
 * One document per code, each producing that code: the format and graph codes here, the codes
 * of what steps say (templates, sends, engagement, cooldowns, audiences) in
 * validate-content-cases.ts. Typed by every code, so a new code without a case fails to compile.
 */
export const CASES: Record<IssueCode, IssueCase> = {
  not_json: () => ({ text: "{ nope" }),
  schema: () => ({ doc: { ...doc([T, X], [["start", "done"]]), nodes: "x" } }),
  unsupported_format: () => ({ doc: { ...doc([T, X], [["start", "done"]]), format: "other@1" } }),
  bad_duration: () => ({
    doc: doc(
      [T, wait("w", "P"), X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  bad_time: () => ({
    doc: doc(
      [T, { id: "w", type: "wait", wait: { kind: "time_of_day", time: "7pm" } }, X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  no_trigger: () => ({ doc: doc([wait("w"), X], [["w", "done"]]) }),
  multiple_triggers: () => ({
    doc: doc(
      [T, { ...T, id: "t2" }, X],
      [
        ["start", "done"],
        ["t2", "done"],
      ],
    ),
    nodeId: "t2",
  }),
  duplicate_node_id: () => ({
    doc: doc(
      [T, wait("w"), wait("w"), X],
      [
        ["start", "w"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  dangling_edge: () => ({
    doc: doc(
      [T, X],
      [
        ["start", "done"],
        ["start", "ghost"],
      ],
    ),
  }),
  edge_into_trigger: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["w", "start"],
        ["w", "done"],
      ],
    ),
    nodeId: "start",
  }),
  edge_from_exit: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["w", "done"],
        ["done", "w"],
      ],
    ),
    nodeId: "done",
  }),
  unexpected_path: () => ({ doc: doc([T, X], [["start", "done", "yes"]]), nodeId: "start" }),
  duplicate_path: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "w"],
        ["start", "done"],
        ["w", "done"],
      ],
    ),
    nodeId: "start",
  }),
  branch_missing_path: () => ({
    doc: doc(
      [T, evBranch("b"), X],
      [
        ["start", "b"],
        ["b", "done", "yes"],
      ],
    ),
    nodeId: "b",
  }),
  split_percent_sum: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "b", percent: 40 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
        ["s", "done", "b"],
      ],
    ),
    nodeId: "s",
  }),
  split_duplicate_arm: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "a", percent: 50 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
      ],
    ),
    nodeId: "s",
  }),
  split_arm_without_edge: () => ({
    doc: doc(
      [
        T,
        {
          id: "s",
          type: "split",
          split: {
            arms: [
              { name: "a", percent: 50 },
              { name: "b", percent: 50 },
            ],
          },
        },
        X,
      ],
      [
        ["start", "s"],
        ["s", "done", "a"],
      ],
    ),
    nodeId: "s",
  }),
  unreachable_node: () => ({
    doc: doc(
      [T, wait("w"), X],
      [
        ["start", "done"],
        ["w", "done"],
      ],
    ),
    nodeId: "w",
  }),
  cycle_without_wait: () => ({
    doc: doc(
      [
        T,
        send("a"),
        branch("c", { kind: "condition", conditions: [{ field: "vip", op: "eq", value: true }] }),
        X,
      ],
      [
        ["start", "a"],
        ["a", "c"],
        ["c", "a", "yes"],
        ["c", "done", "no"],
      ],
    ),
    nodeId: "a",
  }),
  dead_end: () => ({ doc: doc([T, send("a")], [["start", "a"]]), nodeId: "a" }),
  never_exits: () => ({
    doc: doc(
      [T, wait("w1"), wait("w2")],
      [
        ["start", "w1"],
        ["w1", "w2"],
        ["w2", "w1"],
      ],
    ),
    nodeId: "w1",
  }),
  ...CONTENT_CASES,
};
