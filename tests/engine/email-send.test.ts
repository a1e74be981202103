import { describe, expect, it } from "vitest";
import { type EmailFields, parseMailbox } from "../../engine/email/spec.ts";
import { advance, validate } from "../../engine/index.ts";
import { compiled, logs, sends } from "./advance-helpers.ts";
import { at, contact, exit, journey, policy, ports, trigger } from "./helpers.ts";

/** Issue 19: an email send renders subject, preheader, HTML and text for its contact. */

const emailNode = (email: EmailFields, template = "Hi {{ user.firstName }}") => ({
  id: "e1",
  type: "send" as const,
  send: { channel: "email" as const, category: "promotional" as const, template, email },
});

function run(node: ReturnType<typeof emailNode>, firstName = "Ann") {
  const j = journey(
    [trigger(), node, exit()],
    [
      ["start", "e1"],
      ["e1", "done"],
    ],
  );
  const now = at("2025-05-01T12:00:00Z");
  return advance(
    compiled(j),
    null,
    { now, contact: contact({ attributes: { firstName } }), policy: policy() },
    { ...ports, trackLink: (u) => `https://wm.to/${u.length}` },
  );
}

describe("email sends", () => {
  it("render every part with the contact's data, links tracked, values escaped in HTML only", () => {
    const r = run(
      emailNode({
        subject: "{{ user.firstName }},\r\nyour cart",
        preheader: "Still {{ user.firstName }}'s",
        html: '<html><body><p>Hi {{ user.firstName }}</p><a href="{{ "https://shop.example/c" | track }}">Cart</a></body></html>',
        from: "Shop <news@shop.example>",
        replyTo: "help@shop.example",
      }),
      "<b>Ann</b>",
    );
    const [send] = sends(r);
    expect(send?.body).toBe("Hi <b>Ann</b>");
    expect(send?.email).toEqual({
      subject: "<b>Ann</b>, your cart",
      preheader: "Still <b>Ann</b>'s",
      html:
        '<html><body><div style="display:none;max-height:0;overflow:hidden;mso-hide:all">Still &lt;b&gt;Ann&lt;/b&gt;&#39;s</div>' +
        '<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p><a href="https://wm.to/22">Cart</a></body></html>',
      from: "Shop <news@shop.example>",
      replyTo: "help@shop.example",
    });
    const sent = logs(r).find((e) => e.type === "sent");
    expect(sent?.detail).toBe('promotional email "<b>Ann</b>, your cart"');
  });

  it("an email send from before subjects existed goes with the journey's name, and says so", () => {
    const node = {
      id: "e1",
      type: "send" as const,
      send: { channel: "email" as const, category: "promotional" as const, template: "Hello" },
    };
    const j = journey(
      [trigger(), node, exit()],
      [
        ["start", "e1"],
        ["e1", "done"],
      ],
    );
    const [send] = sends(
      advance(compiled(j), null, { now: 0, contact: contact(), policy: policy() }, ports),
    );
    expect(send?.email).toMatchObject({ subject: j.name, html: null, from: null });
    expect(validate(j).map((i) => i.code)).toEqual(["email_no_subject"]);
  });

  it("a subject that fails to render suppresses the send, naming the field", () => {
    const r = run(emailNode({ subject: "{{ user.firstName | nosuchfilter }}" }));
    expect(sends(r)).toEqual([]);
    expect(logs(r).find((e) => e.type === "suppressed")).toMatchObject({
      reason: "template_error",
    });
  });

  it("validation checks subject, preheader and HTML like the body, and the addresses", () => {
    const j = journey(
      [
        trigger(),
        emailNode({
          subject: "{{ user.__proto__.x }}",
          html: "{% if %}",
          preheader: "{{ secret.x }}",
        }),
        exit(),
      ],
      [
        ["start", "e1"],
        ["e1", "done"],
      ],
    );
    const issues = validate(j).map((i) => [i.code, i.path.slice(-1)[0]]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ["reserved_name", "subject"],
        ["template_syntax", "html"],
        ["unknown_template_variable", "preheader"],
      ]),
    );
    const bad = journey(
      [
        trigger(),
        emailNode({ subject: "Hi", from: "news@shop.example\r\nBcc: x@evil.example" }),
        exit(),
      ],
      [
        ["start", "e1"],
        ["e1", "done"],
      ],
    );
    expect(validate(bad).map((i) => i.code)).toEqual(["schema"]);
    expect(parseMailbox("Shop <news@shop.example>")).toEqual({
      name: "Shop",
      address: "news@shop.example",
    });
    expect(parseMailbox("news@shop")).toBeNull();
    expect(parseMailbox("a b@shop.example")).toBeNull();
  });
});
