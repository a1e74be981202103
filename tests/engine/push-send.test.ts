import { describe, expect, it } from "vitest";
import { advance, validate } from "../../engine/index.ts";
import { composePush, pushPayloadJson } from "../../engine/push/compose.ts";
import { PUSH_PAYLOAD_MAX_BYTES, type PushFields } from "../../engine/push/spec.ts";
import { compiled, logs, sends } from "./advance-helpers.ts";
import { at, contact, exit, journey, policy, ports, trigger } from "./helpers.ts";

/** Issue 19: a push send renders its title, body, icon and click URL for its contact. */

const pushNode = (push: PushFields | undefined, template = "Hi {{ user.firstName }}") => ({
  id: "p1",
  type: "send" as const,
  send: {
    channel: "push" as const,
    category: "transactional" as const,
    template,
    ...(push ? { push } : {}),
  },
});

const journeyOf = (node: ReturnType<typeof pushNode>) =>
  journey(
    [trigger(), node, exit()],
    [
      ["start", "p1"],
      ["p1", "done"],
    ],
  );

function run(node: ReturnType<typeof pushNode>, attributes: Record<string, unknown>) {
  return advance(
    compiled(journeyOf(node)),
    null,
    { now: at("2025-05-01T12:00:00Z"), contact: contact({ attributes }), policy: policy() },
    ports,
  );
}

describe("push sends", () => {
  it("render title and body, the icon and click URL with encoded values, into the send effect", () => {
    const r = run(
      pushNode({
        title: "{{ user.firstName }},\r\n your order",
        icon: "https://cdn.example/{{ user.plan }}.png",
        url: "https://shop.example/o?u={{ user.firstName }}",
      }),
      { firstName: "A&B", plan: "gold plan" },
    );
    const [send] = sends(r);
    expect(send?.body).toBe("Hi A&B");
    expect(send?.push).toEqual({
      title: "A&B, your order",
      icon: "https://cdn.example/gold%20plan.png",
      url: "https://shop.example/o?u=A%26B",
    });
    expect(logs(r).find((l) => l.type === "sent")?.detail).toBe(
      'transactional push "A&B, your order"',
    );
  });

  it("send the click URL through trackLink whole, and the icon never", () => {
    const minted: string[] = [];
    const r = composePush(
      {
        template: "x",
        push: { title: "t", icon: "https://i.example/a.png", url: "https://s.example/x" },
      },
      { user: {}, event: {} },
      {
        trackLink: (u) => {
          minted.push(u);
          return "https://wm.example/l/TOKEN";
        },
      },
      "J",
    );
    expect(minted).toEqual(["https://s.example/x"]);
    expect(r.ok && r.content).toEqual({
      title: "t",
      icon: "https://i.example/a.png",
      url: "https://wm.example/l/TOKEN",
    });
  });

  it("show the journey's name as the title of a push written before push had fields", () => {
    const r = run(pushNode(undefined), { firstName: "Ann" });
    expect(sends(r)[0]?.push).toEqual({ title: "j1", icon: null, url: null });
  });

  it("cut a body that would pass what every push service must accept", () => {
    const long = "长".repeat(3000);
    const r = composePush(
      { template: long, push: { title: "t", url: "https://s.example/x" } },
      { user: {}, event: {} },
      {},
      "J",
    );
    if (!r.ok) throw new Error(r.error);
    expect(r.body.endsWith("…")).toBe(true);
    const size = new TextEncoder().encode(
      pushPayloadJson(r.body, r.content, "00000000-0000-4000-8000-000000000000"),
    ).length;
    expect(size).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(size).toBeGreaterThan(PUSH_PAYLOAD_MAX_BYTES - 4);
  });

  it("validate: fields on the wrong channel, a missing title, an http icon and Liquid in a host", () => {
    const codes = (node: Record<string, unknown>) =>
      validate(journeyOf(node as ReturnType<typeof pushNode>)).map(
        (i) => `${i.code} ${i.path.join(".")}`,
      );
    expect(codes(pushNode({ title: "t", url: "https://shop.example/{{ user.id }}" }))).toEqual([]);
    expect(codes(pushNode(undefined))).toContain("push_no_title nodes.1.send.push");
    expect(codes(pushNode({ title: "t", icon: "http://cdn.example/i.png" }))).toContain(
      "push_url_invalid nodes.1.send.push.icon",
    );
    expect(codes(pushNode({ title: "t", url: "https://{{ user.host }}/x" }))).toContain(
      "push_url_invalid nodes.1.send.push.url",
    );
    expect(codes(pushNode({ title: "{{ user.__proto__ }}" }))).toContain(
      "reserved_name nodes.1.send.push.title",
    );
    const sms = {
      ...pushNode({ title: "t" }),
      send: { ...pushNode({ title: "t" }).send, channel: "sms" },
    };
    expect(codes(sms)).toContain("push_fields_wrong_channel nodes.1.send.push");
  });
});
