import type { Knex } from "knex";
import type { ContactView } from "../../engine/contact.ts";
import { parseJourney } from "../../engine/format/parse.ts";
import { conditionAudiences } from "../../engine/nodes/branch.ts";
import type { ProviderRules } from "../../engine/rules/provider.ts";
import { timelineEntryJson } from "../../engine/simulate/input.ts";
import { simulate } from "../../engine/simulate/simulate.ts";
import type { SimContact } from "../../engine/simulate/store.ts";
import { resolveZone } from "../../engine/time/index.ts";
import { hasErrors, validate } from "../../engine/validate/validate.ts";
import { ErrorBody } from "../api/common.ts";
import { SimulateBody, SimulateResult } from "../api/simulate.ts";
import { isMember } from "../audiences/queries.ts";
import {
  type SimulationContactRow as ContactRow,
  simulationContact,
} from "../contacts/sql/simulation.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkShapeFor } from "../delivery/links.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import type { RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import { editorDraft } from "../journeys/sql/journeys.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { emailFor, seesMaskedData } from "../privacy/mask.ts";
import type { policyCache } from "../runtime/policy.ts";
import { loadBatchContacts, phoneDayStart } from "../runtime/sql/contact-state.ts";

const DAY = 86_400_000;

/**
 * A real contact as the simulator sees it, for a caller of `role`. Roles that see masked data
 * get the email masked (templates print `{{ user.email }}` into the timeline) and no phone:
 * the engine reads the phone only for its country's zone, so that zone is resolved here and
 * passed as the contact's zone, which keeps the simulation the same without the number.
 */
async function simulatedContact(
  row: ContactRow,
  crypto: FieldCrypto,
  role: string | undefined,
  policy: ReturnType<typeof policyCache>,
): Promise<SimContact> {
  const masked = seesMaskedData(role);
  const phone = row.phone_encrypted ? crypto.decrypt(row.phone_encrypted) : null;
  let timezone = row.timezone;
  if (masked && phone) {
    const resolved = resolveZone({ timezone, phone }, (await policy()).workspaceTimezone);
    if (resolved.source === "phone") timezone = resolved.zone;
  }
  return {
    // The ticker's keys (server/runtime/sql/contact-state.ts): the row id for split arms,
    // the external id for `{{ user.id }}`; the simulation must pick the arm the run picks.
    id: String(row.id),
    externalId: row.external_id,
    attributes: row.attributes,
    consent: row.consent,
    ...(timezone ? { timezone } : {}),
    ...(row.locale ? { locale: row.locale } : {}),
    ...(row.email ? { email: emailFor(role, row.email) } : {}),
    ...(phone && !masked ? { phone } : {}),
  };
}

/**
 * What the suppression rules read besides the profile, through `loadBatchContacts` (the
 * ticker's loader: the same history window, the same rows, the SMS its number got today when
 * the provider limits them). It takes the contact's row lock for the read, as the ticker does
 * before a send; the transaction ends before simulating.
 */
async function contactHistory(
  knex: Knex,
  crypto: FieldCrypto,
  id: number,
  now: Date,
  providerRules: ProviderRules | null,
): Promise<Pick<ContactView, "optOuts" | "recentSends" | "cooldowns" | "phoneSends">> {
  const loaded = await knex.transaction((trx) =>
    loadBatchContacts(
      trx,
      crypto,
      [id],
      Number.MAX_SAFE_INTEGER,
      now,
      false,
      new Set([id]),
      phoneDayStart(providerRules, now),
    ),
  );
  const view = loaded.views.get(id);
  return {
    optOuts: view?.optOuts ?? [],
    recentSends: view?.recentSends ?? [],
    cooldowns: view?.cooldowns ?? [],
    // A copy: the loader's list is shared by the contacts with this number.
    ...(view?.phoneSends ? { phoneSends: [...view.phoneSends] } : {}),
  };
}

/**
 * `POST /api/simulate`: the CLI's `simulate --json`, over HTTP, with the workspace's own policy
 * and optionally a real contact's profile. Runs the engine in memory; writes nothing.
 */
export function simulateRoutes(
  knex: Knex,
  crypto: FieldCrypto,
  policy: ReturnType<typeof policyCache>,
  clock: () => Date,
  delivery: DeliveryConfig,
): RouteSpec[] {
  return [
    {
      method: "post",
      path: "/api/simulate",
      access: "any",
      summary:
        "Simulate a journey (a document or a journey's draft) for one contact and a timeline of events",
      body: SimulateBody,
      responses: { 200: SimulateResult, 404: ErrorBody, 422: ErrorBody },
      async handler(req, res) {
        const body = parseBody(SimulateBody, req.body);
        let doc: unknown = body.journey;
        if (body.journeyId) {
          const draft = await editorDraft(knex, body.journeyId);
          if (!draft) throw new HttpError(404, "not_found", `no journey "${body.journeyId}"`);
          // The draft the editor shows: as typed when it does not parse (then a 422 below).
          doc = draft.draftAsTyped ?? draft.definition;
        }
        const issues = validate(doc);
        if (hasErrors(issues))
          throw new HttpError(
            422,
            "invalid_journey",
            issues.find((i) => i.severity === "error")?.message ?? "invalid journey",
            issues,
          );
        const parsed = parseJourney(doc);
        if (!parsed.ok)
          throw new HttpError(422, "invalid_journey", "invalid journey", parsed.issues);
        // The SMS provider in effect (Settings over the environment), from the same policy read
        // the ticker's comes from (server/delivery/provider-rules.ts): its window and
        // per-number limit hold sends back in the prediction exactly as they will live.
        const providerRules = (await policy()).providerRules ?? null;

        let contact: SimContact = { id: "sample", ...body.contact };
        if (body.contactId) {
          const row = await simulationContact(knex, body.contactId);
          if (!row) throw new HttpError(404, "not_found", `no contact "${body.contactId}"`);
          contact = await simulatedContact(row, crypto, req.operator?.role, policy);
          // Its opt-outs, recent sends and cooldowns, read by the ticker's own loader, so the
          // suppression rules decide as they will live (an opted-out contact was predicted SENT).
          contact = {
            ...contact,
            ...(await contactHistory(knex, crypto, Number(row.id), clock(), providerRules)),
          };
          // A real contact is in the audiences it is in now, as the ticker would see it.
          const audiences: string[] = [];
          for (const id of conditionAudiences(parsed.journey)) {
            if ((await isMember(knex, id, [Number(row.id)], clock())).size > 0) audiences.push(id);
          }
          contact = { ...contact, audiences };
        }
        const firstEvent = body.events.reduce(
          (min, e) => Math.min(min, e.at),
          Number.POSITIVE_INFINITY,
        );
        const from = body.from
          ? Date.parse(body.from)
          : Number.isFinite(firstEvent)
            ? firstEvent
            : clock().getTime();
        const until = body.until ? Date.parse(body.until) : from + 365 * DAY;
        if (until < from)
          throw new HttpError(400, "invalid_body", "until: is before from", [
            { path: "until", message: "is before from" },
          ]);
        if (until - from > 5 * 365 * DAY)
          throw new HttpError(400, "invalid_body", "until: at most five years after from", [
            { path: "until", message: "at most five years after from" },
          ]);
        const result = simulate(parsed.journey, contact, body.events, {
          linkShape: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
          from,
          until,
          policy: { ...(await policy()), providerRules },
        });
        res.json({
          timeline: result.timeline.map(timelineEntryJson),
          final: result.final,
          issues: result.issues,
        });
      },
    },
  ];
}
