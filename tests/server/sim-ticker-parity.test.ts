import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journey } from "../../engine/format/journey.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { type SimEvent, simulateMany } from "../../engine/simulate/simulate.ts";
import type { SimContact } from "../../engine/simulate/store.ts";
import { nextDateTrigger } from "../../engine/triggers.ts";
import { LINK_TOKEN_LENGTH } from "../../server/delivery/links.ts";
import { createJourney, publishJourney } from "../../server/journeys/store.ts";
import { scanDateTriggers } from "../../server/runtime/date-scan.ts";
import { liveJourneyCache } from "../../server/runtime/live-journeys.ts";
import { policyCache } from "../../server/runtime/policy.ts";
import { loadBatchContacts } from "../../server/runtime/sql/contact-state.ts";
import { manualClock, startTestApp, type TestApp } from "../helpers/app.ts";
import { databaseKinds, openTestDatabase, type TestDatabase } from "../helpers/databases.ts";

/**
 * Issue #15/#16: the simulator and the ticker must tell the same story. Every example journey
 * is live at once; a handful of real contacts (profile, consent, time zone) go through ingest,
 * the API, the date scanner, tracked-link clicks and the real ticker on a hand-moved clock, and
 * the engine's simulator is then given the same contacts as the ticker's loader reads them
 * and the same events as the events table holds. The two timelines must match entry by entry:
 * journey, node, outcome, reason, instant and message text (tokens of tracked links aside).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse("2026-03-02T02:00:00Z"); // Monday 10:00 in Shanghai, 21:00 Sunday in New York
const UNTIL = T0 + 110 * DAY; // replenishment's 90 days + 10:00 + 7 days fit

const journeys: Journey[] = readdirSync(resolve(import.meta.dirname, "../../examples/journeys"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => {
    const doc = JSON.parse(
      readFileSync(resolve(import.meta.dirname, "../../examples/journeys", f), "utf8"),
    ) as unknown;
    const parsed = parseJourney(doc);
    if (!parsed.ok) throw new Error(`${f}: ${JSON.stringify(parsed.issues)}`);
    return parsed.journey;
  });

/** What happens to a contact, besides what the journeys do on their own. */
type Action =
  | { at: number; kind: "track"; event: string; properties?: Record<string, unknown> }
  /** Opens the tracked link of the latest message the journey's node queued for the contact. */
  | { at: number; kind: "click"; journeyId: string; nodeId: string };

type Person = {
  userId: string;
  traits: Record<string, unknown>;
  consent: Record<string, Record<string, boolean>>;
  actions: Action[];
};

const sms = { sms: { promotional: true, service: true } };
const cart = { cartValue: 59, productName: "trail shoes", cartUrl: "https://shop.example/c/1" };
const people: Person[] = [
  {
    // Both cart journeys: clicks cart-abandonment's tracked link (its `clicked` → yes), and a
    // click on cart-reminder's link-less SMS arrives through the track API (`opened` → yes).
    userId: "clicker",
    traits: { firstName: "Li", phone: "+8613812345678", timezone: "Asia/Shanghai" },
    consent: sms,
    actions: [
      { at: T0 + 5 * 60_000, kind: "track", event: "cart_abandoned", properties: cart },
      { at: T0 + 2 * HOUR, kind: "click", journeyId: "cart-abandonment", nodeId: "low_stock" },
      {
        at: T0 + 3 * HOUR,
        kind: "track",
        event: "message.clicked",
        properties: { journeyId: "cart-reminder", nodeId: "sms1" },
      },
    ],
  },
  {
    // Abandons late in the evening (quiet hours defer), never clicks, then buys (exitOn, goal).
    userId: "evening",
    traits: { firstName: "Wang", phone: "+8613812345679", timezone: "Asia/Shanghai" },
    consent: sms,
    actions: [
      {
        at: T0 + 10 * HOUR + 30 * 60_000,
        kind: "track",
        event: "cart_abandoned",
        properties: cart,
      },
      { at: T0 + 3 * DAY, kind: "track", event: "purchased", properties: { category: "shoes" } },
    ],
  },
  {
    // A new member who never orders; and cat food, so replenishment's 90-day reminder runs.
    userId: "member",
    traits: {
      firstName: "Zhang",
      phone: "+8613812345670",
      timezone: "Asia/Shanghai",
      memberNo: "M-1024",
      orderCount: 0,
    },
    consent: sms,
    actions: [
      { at: T0 + HOUR, kind: "track", event: "signed_up" },
      {
        at: T0 + 2 * HOUR,
        kind: "track",
        event: "purchased",
        properties: {
          category: "cat_food",
          productName: "Salmon kibble",
          reorderUrl: "https://shop.example/r/9",
        },
      },
    ],
  },
  {
    // A birthday in a week (birthday-coupon) and a lapsed buyer (win-back), in New York.
    userId: "lapsed",
    traits: {
      firstName: "Ana",
      phone: "+12125550123",
      timezone: "America/New_York",
      birthday: "1990-03-12",
      lastPurchaseAt: "2025-09-08",
      orderCount: 2,
    },
    consent: sms,
    actions: [],
  },
  {
    // No promotional consent: every promotional send is suppressed, the service one goes out.
    userId: "no-consent",
    traits: { firstName: "Chen", phone: "+8613812345671", timezone: "Asia/Shanghai" },
    consent: { sms: { service: true } },
    actions: [
      { at: T0 + HOUR, kind: "track", event: "signed_up" },
      { at: T0 + HOUR, kind: "track", event: "cart_abandoned", properties: cart },
    ],
  },
];

/** A timeline entry as both sides can state it. */
type Line = {
  at: string;
  journeyId: string;
  nodeId: string;
  type: string;
  reason: string | null;
  body: string | null;
};

/** Tracked links differ only by their random token. */
const untokened = (body: unknown) =>
  typeof body === "string" ? body.replace(/\/l\/[A-Za-z0-9_-]+/g, "/l/<token>") : null;

/**
 * Entry by entry within each journey, journeys merged by instant: two journeys acting at the
 * same instant may be stepped in either order by the ticker's claim, and that order changes
 * nothing either side decides.
 */
function ordered(lines: Line[]): Line[] {
  return lines
    .map((l, i) => ({ l, i }))
    .sort(
      (a, b) =>
        a.l.at.localeCompare(b.l.at) || a.l.journeyId.localeCompare(b.l.journeyId) || a.i - b.i,
    )
    .map(({ l }) => l);
}

describe.each(databaseKinds)(
  "simulator and ticker agree on every example journey on %s",
  (kind) => {
    let db: TestDatabase;
    let app: TestApp;
    const clock = manualClock(T0 - HOUR);
    let headers: Record<string, string>;
    const contactIds = new Map<string, number>();

    beforeAll(async () => {
      db = await openTestDatabase(kind);
      app = await startTestApp(db, clock);
      headers = { authorization: `Bearer ${app.secretKey}`, "content-type": "application/json" };
      for (const j of journeys) {
        await createJourney(db.knex, j, null);
        await publishJourney(db.knex, j.id, null);
      }
      for (const p of people) {
        const r = await app.ingest("/v1/identify", {
          userId: p.userId,
          traits: p.traits,
          consent: p.consent,
          timestamp: new Date(clock.now()).toISOString(),
        });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const row = (await db.knex("contacts").where({ external_id: p.userId }).first("id")) as {
          id: string;
        };
        contactIds.set(p.userId, Number(row.id));
      }
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await db?.close();
    });

    /** Ticks until the ticker has nothing due at the current instant. */
    async function drain(): Promise<void> {
      for (let i = 0; i < 20; i++) {
        if ((await app.tick()).claimed === 0) return;
      }
      throw new Error("the ticker kept finding work at one instant");
    }

    async function act(p: Person, a: Action): Promise<void> {
      if (a.kind === "track") {
        const r = await app.ingest("/v1/track", {
          userId: p.userId,
          event: a.event,
          properties: a.properties ?? {},
          messageId: `${p.userId}-${a.event}-${a.at}`,
          timestamp: new Date(a.at).toISOString(),
        });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return;
      }
      const link = (await db
        .knex("messages as m")
        .join("link_tokens as l", "l.message_id", "m.id")
        .where({ "m.contact_id": contactIds.get(p.userId), "m.journey_id": a.journeyId })
        .andWhere("m.node_id", a.nodeId)
        .orderBy("m.id", "desc")
        .first("l.token")) as { token: string } | undefined;
      expect(link, `${p.userId} has a ${a.journeyId}/${a.nodeId} link to click`).toBeDefined();
      const res = await fetch(`${app.url}/l/${link?.token}`, {
        redirect: "manual",
        headers: { "user-agent": "Mozilla/5.0 (iPhone)" },
      });
      expect(res.status).toBe(302);
    }

    /** The instants the date-attribute triggers come due for these contacts, as the scanner sees them. */
    function dateInstants(): number[] {
      const out: number[] = [];
      for (const j of journeys) {
        for (const p of people) {
          const at = nextDateTrigger(
            j,
            {
              id: p.userId,
              attributes: p.traits,
              timezone: String(p.traits.timezone),
              consent: {},
              optOuts: [],
              recentSends: [],
              cooldowns: [],
            },
            T0 - 1,
            "UTC",
          );
          if (at !== null && at <= UNTIL) out.push(at);
        }
      }
      return out;
    }

    it("runs every contact live, simulates the same contacts, and the timelines match", async () => {
      const live = liveJourneyCache(db.knex, 0);
      const policy = await policyCache(db.knex, "UTC", 0)();
      const actions = people
        .flatMap((p) => p.actions.map((a) => ({ p, a })))
        .sort((x, y) => x.a.at - y.a.at);
      const dates = dateInstants();
      expect(dates.length, "the birthday and the win-back date fall inside the run").toBe(2);

      // api-triggered journeys: every contact enters at the start, as the simulator assumes.
      clock.set(new Date(T0).toISOString());
      for (const p of people) {
        const res = await fetch(`${app.url}/api/journeys/send-time-ab/enroll`, {
          method: "POST",
          headers,
          body: JSON.stringify({ userId: p.userId }),
        });
        expect(res.status, await res.text()).toBeLessThan(300);
      }
      let next = 0;
      for (let guard = 0; guard < 1_000; guard++) {
        const now = clock.now().getTime();
        if (dates.includes(now)) {
          await scanDateTriggers({
            knex: db.knex,
            crypto: app.crypto,
            live,
            workspaceTimezone: "UTC",
            now: clock.now,
          });
        }
        // Due wake-ups first, then this instant's events, as the simulator orders them.
        await drain();
        while (next < actions.length && actions[next]?.a.at === now) {
          const { p, a } = actions[next] ?? {};
          if (p && a) await act(p, a);
          next++;
        }
        await drain();
        const wake = (await db
          .knex("enrollment_wakeups")
          .where("wake_at", ">", new Date(now))
          .andWhere("wake_at", "<", "infinity")
          .min("wake_at as at")
          .first()) as { at: Date | string | null } | undefined;
        const candidates = [
          wake?.at ? new Date(wake.at).getTime() : Number.POSITIVE_INFINITY,
          actions[next]?.a.at ?? Number.POSITIVE_INFINITY,
          ...dates.filter((d) => d > now),
        ];
        const at = Math.min(...candidates);
        if (at > UNTIL) break;
        clock.set(new Date(at).toISOString());
      }
      expect(next, "every action happened").toBe(actions.length);

      let compared = 0;
      for (const p of people) {
        const id = contactIds.get(p.userId) ?? 0;
        const logged = (await db
          .knex("enrollment_log")
          .where({ contact_id: id })
          .whereNot("type", "event")
          .orderBy("id")
          .select("at", "journey_id", "node_id", "type", "reason", "data")) as {
          at: Date | string;
          journey_id: string;
          node_id: string;
          type: string;
          reason: string | null;
          data: { body?: string };
        }[];
        const liveLines = ordered(
          logged.map((r) => ({
            at: new Date(r.at).toISOString(),
            journeyId: r.journey_id,
            nodeId: r.node_id,
            type: r.type,
            reason: r.reason,
            body: untokened(r.data.body),
          })),
        );

        // The simulator gets the contact as the ticker's loader read it before the run, and the
        // events the run stored (clicks included), with the ticker's link shape.
        const loaded = await db.knex.transaction((trx) =>
          loadBatchContacts(trx, app.crypto, [id], 0, new Date(T0), false, new Set([id])),
        );
        const view = loaded.views.get(id);
        if (!view) throw new Error(`no view for ${p.userId}`);
        const contact: SimContact = {
          id: view.id,
          attributes: view.attributes,
          consent: view.consent,
          ...(view.timezone ? { timezone: view.timezone } : {}),
          ...(view.phone ? { phone: view.phone } : {}),
        };
        const events: SimEvent[] = (loaded.events.get(id) ?? []).map((e) => ({
          name: e.name,
          at: e.at,
          properties: e.properties ?? {},
          ...(e.messageId ? { messageId: e.messageId } : {}),
        }));
        const sim = simulateMany(journeys, contact, events, {
          from: T0,
          until: UNTIL,
          policy,
          linkShape: { base: app.url, tokenLength: LINK_TOKEN_LENGTH },
        });
        expect(sim.issues).toEqual([]);
        const simLines = ordered(
          sim.timeline.map((e) => ({
            at: new Date(e.at).toISOString(),
            journeyId: e.journeyId,
            nodeId: e.nodeId,
            type: e.type,
            reason: "reason" in e ? e.reason : null,
            body: e.type === "sent" ? untokened(e.body) : null,
          })),
        );
        expect(liveLines.length, `${p.userId} has a live timeline`).toBeGreaterThan(3);
        expect(simLines, `${p.userId}: simulator vs ticker`).toEqual(liveLines);
        compared += liveLines.length;
      }
      // Every example journey was entered by someone and every kind of ending was reached.
      const entered = await db.knex("enrollments").distinct("journey_id");
      expect(entered.map((r) => r.journey_id).sort()).toEqual(journeys.map((j) => j.id).sort());
      expect(compared).toBeGreaterThan(50);
    }, 240_000);
  },
);
