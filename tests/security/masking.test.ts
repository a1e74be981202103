import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskEmail, maskPhone } from "../../server/privacy/mask.ts";
import { databaseKinds } from "../helpers/databases.ts";
import { lineJourney, type SecurityApp, smsNode, startSecurityApp } from "./harness.ts";

/**
 * Issue #14 item 6, replayed: support read a contact's email in clear by previewing or
 * simulating a template that prints `{{ user.email }}` for that contact. Roles that see masked
 * data (support) get it masked in preview, simulation and the outbox; roles that see clear data
 * (marketer) get it as it is; and the simulation is otherwise the same for both, the phone's
 * zone included.
 */
const EMAIL = "Ann.Lee@Example.com";
const PHONE = "+8613812345678";
const DIGITS = "13812345678";
const TEMPLATE = "Hi {{ user.firstName }}, we wrote to {{ user.email }}";

describe.each(databaseKinds)("masked data stays masked on %s", (kind) => {
  let s: SecurityApp;

  beforeAll(async () => {
    s = await startSecurityApp(kind);
    const doc = lineJourney("mail", [smsNode("s", TEMPLATE)]);
    doc.nodes[0] = { id: "start", type: "trigger", trigger: { kind: "api" } };
    expect((await s.as("marketer")("POST", "/api/journeys", doc)).status).toBe(201);
    expect((await s.as("marketer")("POST", "/api/journeys/mail/publish", {})).status).toBe(200);
    // No profile zone: the zone comes from the phone's country (China → Asia/Shanghai).
    await s.app.ingest("/v1/identify", {
      userId: "ann",
      traits: { firstName: "Ann", email: EMAIL, phone: PHONE },
      consent: { sms: { promotional: true } },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  const leaks = (text: string) =>
    text.toLowerCase().includes(EMAIL.toLowerCase()) || text.includes(DIGITS);

  it("preview of a real contact: masked for support, clear for a marketer", async () => {
    const body = { nodeId: "s", contactId: "ann" };
    const support = await s.as("support")("POST", "/api/journeys/mail/preview", body);
    expect(support.status).toBe(200);
    expect(support.body.text).toContain(`we wrote to ${maskEmail(EMAIL.toLowerCase())}`);
    expect(leaks(support.text)).toBe(false);
    const marketer = await s.as("marketer")("POST", "/api/journeys/mail/preview", body);
    expect(marketer.body.text).toContain(`we wrote to ${EMAIL.toLowerCase()}`);
  });

  it("simulation of a real contact: masked for support, the same timeline otherwise, phone zone kept", async () => {
    // 16:00 UTC is midnight in Shanghai: the promotional SMS waits for 08:00 there (00:00 UTC).
    const body = { journeyId: "mail", contactId: "ann", from: "2026-03-02T16:00:00Z", events: [] };
    const support = await s.as("support")("POST", "/api/simulate", body);
    const marketer = await s.as("marketer")("POST", "/api/simulate", body);
    expect(support.status).toBe(200);
    expect(leaks(support.text)).toBe(false);
    expect(marketer.text).toContain(EMAIL.toLowerCase());
    const sent = (r: typeof support) =>
      (r.body.timeline as { type: string; at: string; body?: string }[]).find(
        (e) => e.type === "sent",
      );
    expect(sent(support)?.at).toBe("2026-03-03T00:00:00.000Z");
    expect(sent(support)?.body).toContain(maskEmail(EMAIL.toLowerCase()));
    // Everything but the body is the same as a marketer sees it.
    const strip = (r: typeof support) =>
      (r.body.timeline as Record<string, unknown>[]).map(({ body: _b, detail: _d, ...e }) => e);
    expect(strip(support)).toEqual(strip(marketer));
  });

  it("the outbox: bodies and provider errors masked for support, clear for a marketer", async () => {
    const enrolled = await s.as("marketer")("POST", "/api/journeys/mail/enroll", { userId: "ann" });
    expect(enrolled.status).toBe(201);
    s.clock.set("2026-03-02T03:00:00Z"); // 11:00 in Shanghai
    await s.app.tick();
    await s.db
      .knex("messages")
      .where({ journey_id: "mail" })
      .update({ last_error: `The 'To' number ${PHONE} is not a valid phone number` });
    const support = await s.as("support")("GET", "/api/messages?journey=mail");
    const messages = support.body.messages as { body: string; lastError: string }[];
    expect(messages).toHaveLength(1);
    expect(leaks(support.text)).toBe(false);
    expect(messages[0]?.body).toContain(maskEmail(EMAIL.toLowerCase()));
    expect(messages[0]?.lastError).toContain(maskPhone(PHONE));
    const marketer = await s.as("marketer")("GET", "/api/messages?journey=mail");
    expect(marketer.text).toContain(EMAIL.toLowerCase());
    expect(marketer.text).toContain(PHONE);
    expect(marketer.text).not.toContain("contactEmail");
  });
});
