import type { IssueCode, Journey } from "../../engine/index.ts";
import { parseJourney, validate } from "../../engine/index.ts";
import { unknownAudienceIssues } from "../../engine/nodes/branch.ts";
import { doc } from "./helpers.ts";
import { CHANNEL_CASES } from "./validate-channel-cases.ts";
import { branch, type IssueCase, send, T, wait, X } from "./validate-nodes.ts";
import { VARIANT_CASES } from "./validate-variant-cases.ts";

function journeyOf(d: unknown): Journey {
  const parsed = parseJourney(d);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.journey;
}

/**
 * The cases of what steps say: templates, names, engagement, cooldowns, audiences; the fields of
 * each channel's send in validate-channel-cases.ts.
 */
export const CONTENT_CASES = {
  unknown_template_variable: () => ({
    doc: doc(
      [T, send("a", "Hi {{ firstName }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  template_unknown_attribute: () => ({
    issues: validate(
      doc(
        [T, send("a", "Hi {{ user.fristName }}"), X],
        [
          ["start", "a"],
          ["a", "done"],
        ],
      ),
      { templateNames: { user: ["firstName"] } },
    ),
    nodeId: "a",
  }),
  template_unknown_event_property: () => ({
    issues: validate(
      doc(
        [T, send("a", "Your {{ event.skew }}"), X],
        [
          ["start", "a"],
          ["a", "done"],
        ],
      ),
      { templateNames: { events: { go: ["sku"] } } },
    ),
    nodeId: "a",
  }),
  template_syntax: () => ({
    doc: doc(
      [T, send("a", "Hi {{ user.firstName | nosuchfilter }}"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  reserved_name: () => ({
    doc: doc(
      [T, { ...wait("w"), id: "__proto__" }, X],
      [
        ["start", "__proto__"],
        ["__proto__", "done"],
      ],
    ),
    nodeId: "__proto__",
  }),
  bad_attribute_name: () => ({
    doc: doc(
      [T, { id: "u", type: "update", update: { kind: "increment", attribute: "a.b", by: 1 } }, X],
      [
        ["start", "u"],
        ["u", "done"],
      ],
    ),
    nodeId: "u",
  }),
  bad_text: () => ({
    doc: doc(
      [T, send("a", "Hi \u0000"), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  template_budget: () => ({
    doc: doc(
      [
        T,
        send(
          "a",
          `{% assign s = "${"x".repeat(300)}" | split: "" %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}`,
          "email",
        ),
        X,
      ],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  engagement_target_not_send: () => ({
    doc: doc(
      [
        T,
        wait("w"),
        branch("b", { kind: "engagement", node: "w", signal: "clicked", within: "P1D" }),
        X,
      ],
      [
        ["start", "w"],
        ["w", "b"],
        ["b", "done", "yes"],
        ["b", "done", "no"],
      ],
    ),
    nodeId: "b",
  }),
  engagement_target_not_upstream: () => ({
    doc: doc(
      [
        T,
        branch("b", { kind: "engagement", node: "a", signal: "clicked", within: "P1D" }),
        send("a"),
        X,
      ],
      [
        ["start", "b"],
        ["b", "a", "yes"],
        ["b", "done", "no"],
        ["a", "done"],
      ],
    ),
    nodeId: "b",
  }),
  engagement_signal_channel: () => ({
    doc: doc(
      [
        T,
        send("a", "ping", "webhook"),
        branch("b", { kind: "engagement", node: "a", signal: "opened", within: "P1D" }),
        X,
      ],
      [
        ["start", "a"],
        ["a", "b"],
        ["b", "done", "yes"],
        ["b", "done", "no"],
      ],
    ),
    nodeId: "b",
  }),
  ...CHANNEL_CASES,
  ...VARIANT_CASES,
  sms_too_long: () => ({
    doc: doc(
      [T, send("a", "x".repeat(500)), X],
      [
        ["start", "a"],
        ["a", "done"],
      ],
    ),
    nodeId: "a",
  }),
  // A cooldown from before `applies` existed holds all journeys, its own later SMS included.
  cooldown_blocks_own_send: () => ({
    doc: doc(
      [
        T,
        send("a"),
        { id: "cd", type: "cooldown", cooldown: { duration: "P7D", scope: "promotional" } },
        send("b"),
        X,
      ],
      [
        ["start", "a"],
        ["a", "cd"],
        ["cd", "b"],
        ["b", "done"],
      ],
    ),
    nodeId: "b",
  }),
  // The server's check on publish (it knows the saved audiences); the engine supplies it.
  audience_unknown: () => ({
    issues: unknownAudienceIssues(
      journeyOf(
        doc(
          [
            T,
            {
              id: "vip",
              type: "branch",
              branch: { kind: "condition", conditions: [], audience: "vips" },
            },
            X,
          ],
          [
            ["start", "vip"],
            ["vip", "done", "yes"],
            ["vip", "done", "no"],
          ],
        ),
      ),
      new Set(["regulars"]),
    ),
    nodeId: "vip",
  }),
} satisfies Partial<Record<IssueCode, IssueCase>>;
