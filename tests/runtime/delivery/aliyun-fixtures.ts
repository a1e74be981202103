import type { Knex } from "knex";

/** What the Aliyun tests share: a template journey and reads of one contact's outbox and log. */

export const APPROVED = `您的订单\${order}已发货，拒收请回复R`;

/** The env of an Aliyun SMS provider; the endpoint is the fake's where a test sends. */
export function aliyunEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    WAYMARK_SMS_PROVIDER: "aliyun",
    ALIYUN_ACCESS_KEY_ID: "LTAI-test-key-id",
    ALIYUN_ACCESS_KEY_SECRET: "test-secret-test-secret",
    ALIYUN_SMS_ENDPOINT: "http://127.0.0.1:9",
    ...extra,
  };
}

/** A journey entered on event `id` that sends the approved template at each of `sends`. */
export function templateJourney(id: string, sends: { id: string; category: string }[]) {
  const nodes: unknown[] = [
    { id: "start", type: "trigger", trigger: { kind: "event", event: id } },
  ];
  const edges: { from: string; to: string }[] = [];
  let prev = "start";
  sends.forEach((s, i) => {
    if (i > 0) {
      nodes.push({ id: `w${i}`, type: "wait", wait: { kind: "duration", duration: "PT1M" } });
      edges.push({ from: prev, to: `w${i}` });
      prev = `w${i}`;
    }
    nodes.push({
      id: s.id,
      type: "send",
      send: {
        channel: "sms",
        category: s.category,
        template: APPROVED,
        smsTemplate: {
          code: "SMS_154950909",
          signName: "阿里云",
          params: [{ name: "order", value: "{{ event.orderId }}" }],
        },
      },
    });
    edges.push({ from: prev, to: s.id });
    prev = s.id;
  });
  nodes.push({ id: "done", type: "exit" });
  edges.push({ from: prev, to: "done" });
  return { format: "waymark/journey@1", id, name: `Template ${id}`, nodes, edges };
}

export interface MessageRow {
  id: number;
  status: string;
  body: string;
  provider_key: string;
  provider_message_id: string | null;
  last_error: string | null;
  outcome_unknown_since: Date | null;
  created_at: Date;
}

/** The contact's outbox rows, oldest first. */
export async function contactMessages(knex: Knex, userId: string): Promise<MessageRow[]> {
  return (await knex("messages as m")
    .join("contacts as c", "c.id", "m.contact_id")
    .where("c.external_id", userId)
    .orderBy("m.id")
    .select("m.*")) as MessageRow[];
}

/** The contact's timeline rows, oldest first. */
export async function contactLog(knex: Knex, userId: string) {
  return (await knex("enrollment_log as l")
    .join("contacts as c", "c.id", "l.contact_id")
    .where("c.external_id", userId)
    .orderBy("l.id")
    .select("l.type", "l.node_id", "l.detail", "l.data")) as {
    type: string;
    node_id: string;
    detail: string;
    data: Record<string, unknown>;
  }[];
}
