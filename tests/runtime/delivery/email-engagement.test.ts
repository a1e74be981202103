import { describe, expect, it } from "vitest";
import { databaseKinds } from "../../helpers/databases.ts";
import { IPHONE } from "./email-fixtures.ts";
import { emailHarness } from "./email-harness.ts";

/**
 * Issue 19, email opens: the open pixel counts a person's open once (machine opens filtered),
 * and an open feeds the engagement branch.
 */

describe.each(databaseKinds)("email opens on %s", (kind) => {
  const h = emailHarness(kind);
  const { clock, enter, messageOf, received } = h;

  it("counts a person's open of the pixel once, not Apple's prefetch or a scanner", async () => {
    await enter("ann");
    await h.worker.drainOnce();
    const [mail] = received("ann");
    const pixel = /<img src="([^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    const fetchPixel = (ua: string) => fetch(pixel, { headers: { "user-agent": ua } });
    for (const ua of [
      "Mozilla/5.0",
      "curl/8.5.0",
      "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
    ]) {
      const res = await fetchPixel(ua);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/gif");
    }
    expect((await messageOf("ann", "e1"))?.opened_at).toBeNull();
    expect((await fetchPixel(IPHONE)).status).toBe(200);
    expect((await fetchPixel(IPHONE)).status).toBe(200);
    expect((await messageOf("ann", "e1"))?.opened_at).toBeInstanceOf(Date);
    const opened = await h.db
      .knex("events as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": "ann", "e.name": "message.opened" })
      .select("e.message_id");
    expect(opened).toHaveLength(1);
    // A forged or altered token is still a picture, and records nothing.
    expect(
      (
        await fetch(pixel.replace(/\.[A-Za-z0-9_-]{22}\.gif$/, `.${"A".repeat(22)}.gif`), {
          headers: { "user-agent": IPHONE },
        })
      ).status,
    ).toBe(200);
  });

  it("a person's open feeds the engagement branch: opened → yes", async () => {
    const userId = "fay";
    await h.app.ingest("/v1/identify", {
      userId,
      traits: { email: `${userId}@inbox.example`, timezone: "UTC" },
    });
    await h.app.ingest("/v1/track", { userId, event: "browse_abandoned" });
    await h.app.tick();
    await h.worker.drainOnce();
    const [mail] = received(userId);
    const pixel = /<img src="([^"]+)"/.exec(String(mail?.html))?.[1] ?? "";
    expect((await fetch(pixel, { headers: { "user-agent": IPHONE } })).status).toBe(200);
    clock.advance(1000);
    await h.app.tick();
    const branched = await h.db
      .knex("enrollment_log as l")
      .join("contacts as c", "c.id", "l.contact_id")
      .where({ "c.external_id": userId, "l.type": "branched" })
      .select("l.node_id", "l.data");
    expect(branched).toEqual([expect.objectContaining({ node_id: "opened" })]);
    const exited = await h.db
      .knex("enrollments as e")
      .join("contacts as c", "c.id", "e.contact_id")
      .where({ "c.external_id": userId, "e.journey_id": "email-open" })
      .first("e.status", "e.current_node");
    expect(exited).toEqual({ status: "completed", current_node: "yes" });
  });
});
