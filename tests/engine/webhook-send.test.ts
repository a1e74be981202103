import { describe, expect, it } from "vitest";
import { advance, validate } from "../../engine/index.ts";
import type { WebhookFields } from "../../engine/webhook/spec.ts";
import { compiled, logs, sends } from "./advance-helpers.ts";
import { at, contact, exit, journey, policy, ports, trigger } from "./helpers.ts";

/** Issue 19: a webhook send renders its own request (URL, headers, JSON body) for its contact. */

const hookNode = (webhook: WebhookFields, channel: "webhook" | "sms" = "webhook") => ({
  id: "w1",
  type: "send" as const,
  send: {
    channel,
    category: "transactional" as const,
    template: "order {{ event.order }}",
    webhook,
  },
});

const journeyOf = (node: ReturnType<typeof hookNode>) =>
  journey(
    [trigger(), node, exit()],
    [
      ["start", "w1"],
      ["w1", "done"],
    ],
  );

function run(node: ReturnType<typeof hookNode>, attributes: Record<string, unknown>) {
  return advance(
    compiled(journeyOf(node)),
    null,
    { now: at("2025-05-01T12:00:00Z"), contact: contact({ attributes }), policy: policy() },
    ports,
  );
}

const HOSTILE = 'O"Brien"}, "admin": true, "x": {"';

describe("webhook sends", () => {
  it("render the URL (values URL-encoded), headers (one line) and a JSON body a contact's quotes cannot break", () => {
    const r = run(
      hookNode({
        method: "PUT",
        url: "https://crm.example/v1/people/{{ user.lastName }}?src={{ user.firstName }}&k=1",
        headers: { "X-Tenant": "shop {{ user.lastName }}", Authorization: "Bearer abc" },
        body: {
          name: "{{ user.lastName }}",
          tags: ["vip", "{{ user.firstName }}"],
          count: 3,
          ok: true,
          none: null,
        },
      }),
      { lastName: HOSTILE, firstName: "a&b=c/d\r\nX-Evil: 1" },
    );
    const [send] = sends(r);
    const w = send?.webhook;
    if (!w) throw new Error("no webhook request in the send effect");
    expect(w.method).toBe("PUT");
    expect(w.url).toBe(
      `https://crm.example/v1/people/${encodeURIComponent(HOSTILE)}?src=${encodeURIComponent("a&b=c/d\r\nX-Evil: 1")}&k=1`,
    );
    const url = new URL(w.url);
    expect(url.host).toBe("crm.example");
    expect(url.searchParams.get("src")).toBe("a&b=c/d\r\nX-Evil: 1");
    expect(url.searchParams.get("k")).toBe("1");
    expect(w.headers).toEqual({ "x-tenant": `shop ${HOSTILE}`, authorization: "Bearer abc" });
    expect(JSON.parse(w.body ?? "")).toEqual({
      name: HOSTILE,
      tags: ["vip", "a&b=c/d\r\nX-Evil: 1"],
      count: 3,
      ok: true,
      none: null,
    });
    expect(send?.body).toBe("order ");
    // The log shows the target without the query's values (tokens ride there).
    expect(logs(r).find((e) => e.type === "sent")?.detail).toBe(
      `transactional webhook PUT https://crm.example/v1/people/${encodeURIComponent(HOSTILE)}?src=…&k=…`,
    );
  });

  it("a webhook send without request fields renders as before (no request in the effect)", () => {
    const node = {
      id: "w1",
      type: "send" as const,
      send: { channel: "webhook" as const, category: "transactional" as const, template: "hi" },
    };
    const j = journey(
      [trigger(), node, exit()],
      [
        ["start", "w1"],
        ["w1", "done"],
      ],
    );
    const [send] = sends(
      advance(compiled(j), null, { now: 0, contact: contact(), policy: policy() }, ports),
    );
    expect(send?.body).toBe("hi");
    expect(send?.webhook).toBeUndefined();
  });

  it("GET has no body", () => {
    const [send] = sends(run(hookNode({ method: "GET", url: "http://h.example/x" }), {}));
    expect(send?.webhook).toEqual({
      method: "GET",
      url: "http://h.example/x",
      headers: {},
      body: null,
    });
  });

  const codes = (w: WebhookFields, channel: "webhook" | "sms" = "webhook") =>
    validate(journeyOf(hookNode(w, channel))).map((i) => [i.code, i.path.slice(-2).join(".")]);

  it("refuses hostile URLs and headers as issues naming the field", () => {
    expect(codes({ method: "POST", url: "https://ok.example/{{ user.id }}" })).toEqual([]);
    for (const url of [
      "ftp://files.example/x",
      "javascript:alert(1)",
      "https://{{ user.host }}/x",
      "https://api.{{ user.tenant }}.example/x",
      "https://user:pw@h.example/x",
      "/relative/path",
      "https://h.example/a b",
      "https://h.example/x\r\nHost: evil",
    ]) {
      expect(codes({ method: "POST", url }), url).toEqual([["webhook_url_invalid", "webhook.url"]]);
    }
    for (const name of [
      "Host",
      "content-length",
      "Transfer-Encoding",
      "Connection",
      "X-Waymark-Signature",
      "x-waymark-test",
      "Bad Name",
      "X\r\nEvil",
    ]) {
      expect(
        codes({ method: "POST", url: "https://h.example", headers: { [name]: "v" } }),
        name,
      ).toEqual([["webhook_header_refused", `headers.${name}`]]);
    }
    expect(
      codes({ method: "POST", url: "https://h.example", headers: { "X-A": "a\r\nX-Evil: 1" } }),
    ).toEqual([["webhook_header_refused", "headers.X-A"]]);
    expect(codes({ method: "GET", url: "https://h.example", body: { a: "b" } })).toEqual([
      ["webhook_body_on_get", "webhook.body"],
    ]);
    expect(codes({ method: "POST", url: "https://h.example" }, "sms")).toEqual([
      ["webhook_fields_wrong_channel", "send.webhook"],
    ]);
    // Liquid in every place is checked like the template's.
    expect(
      codes({
        method: "POST",
        url: "https://h.example/{{ secret.key }}",
        headers: { "X-A": "{{ user.__proto__ }}" },
        body: { deep: [{ x: "{% if %}" }] },
      }),
    ).toEqual([
      ["unknown_template_variable", "webhook.url"],
      ["reserved_name", "headers.X-A"],
      ["template_syntax", "0.x"],
    ]);
  });
});
