import type { Journey, JourneyNode, NodeType } from "../../../engine/index.ts";
import { assertNever } from "../../../engine/shared/assert-never.ts";

export type XY = { x: number; y: number };

const ID_PREFIX: Record<NodeType, string> = {
  trigger: "trigger",
  wait: "wait",
  branch: "branch",
  send: "sms",
  cooldown: "cooldown",
  split: "split",
  exit: "exit",
};

/** The lowest free `<prefix><n>` id ("wait1", "wait2"…): short, readable in exports and logs. */
export function nextNodeId(type: NodeType, taken: ReadonlySet<string>): string {
  const prefix = ID_PREFIX[type];
  for (let n = 1; ; n++) {
    const id = `${prefix}${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * A new node of `type` that passes the schema, so the draft stays saveable the moment it is
 * dropped (the server rejects schema-invalid drafts). Where the schema requires a reference
 * the journey can supply (the send an engagement branch watches), use it.
 */
export function defaultNode(type: NodeType, id: string, position: XY, doc: Journey): JourneyNode {
  switch (type) {
    case "trigger":
      return { id, type, trigger: { kind: "api" }, position };
    case "wait":
      return { id, type, wait: { kind: "duration", duration: "PT1H" }, position };
    case "branch": {
      const send = [...doc.nodes].reverse().find((n) => n.type === "send");
      return send
        ? {
            id,
            type,
            branch: { kind: "engagement", node: send.id, signal: "opened", within: "P2D" },
            position,
          }
        : { id, type, branch: { kind: "condition", conditions: [] }, position };
    }
    case "send":
      return {
        id,
        type,
        send: { channel: "sms", category: "promotional", template: "Hi {{ user.firstName }}" },
        position,
      };
    case "cooldown":
      // New steps hold other journeys only: its own later sends going out is what a marketer
      // expects of a cooldown (issue 16). Documents without the field keep "all_journeys".
      return {
        id,
        type,
        cooldown: { duration: "P7D", scope: "promotional", applies: "other_journeys" },
        position,
      };
    case "split":
      return {
        id,
        type,
        split: {
          arms: [
            { name: "A", percent: 50 },
            { name: "B", percent: 50 },
          ],
        },
        position,
      };
    case "exit":
      return { id, type, position };
    default:
      return assertNever(type);
  }
}
