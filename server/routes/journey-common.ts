import type { Request } from "express";
import type { Knex } from "knex";
import { entryEventOf } from "../../engine/nodes/registry.ts";
import type { Issue } from "../../engine/validate/issue.ts";
import { type ValidateOptions, validate } from "../../engine/validate/validate.ts";
import { templateNames } from "../contacts/template-names.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkShapeFor } from "../delivery/links.ts";
import { smsKindInEffect } from "../delivery/provider-store.ts";
import { HttpError } from "../http/errors.ts";
import { requestOrigin } from "../http/origin.ts";
import { getJourney, type JourneyRecord } from "../journeys/store.ts";
import type { FieldCrypto } from "../privacy/keys.ts";

/** What the journey routes (journeys.ts, journey-lifecycle.ts) share. */

/** Operator id for audit columns; API keys act as no operator. */
export const who = (req: Request) => (req.operator?.id ? req.operator.id : null);

export async function mustGet(knex: Knex, id: string): Promise<JourneyRecord> {
  const journey = await getJourney(knex, id);
  if (!journey) throw new HttpError(404, "not_found", `no journey "${id}"`);
  return journey;
}

/** A document's issues for the request that asks, as the editor paints them. */
export type CheckJourney = (doc: unknown, req: Request) => Promise<Issue[]>;

/**
 * Issues as the editor paints them: templates checked against the names the workspace has
 * seen, SMS lengths with the links this server mints. The draft is saved before this runs: a
 * failed read of the names leaves them unchecked rather than failing a save that committed.
 */
export function journeyIssues(
  knex: Knex,
  crypto: FieldCrypto,
  delivery: DeliveryConfig,
): CheckJourney {
  return async (doc, req) =>
    validate(doc, {
      templateNames: await templateNames(knex, entryEventOf(doc)).catch(() => ({})),
      linkShape: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
      smsProvider: await smsProviderOption(knex, crypto, delivery),
    });
}

/**
 * The SMS provider in effect as validation takes it: a template-only provider (Aliyun) warns
 * of free-text sends and a free-text one of template sends. Unreadable: nothing is checked.
 */
export async function smsProviderOption(
  knex: Knex,
  crypto: FieldCrypto,
  delivery: DeliveryConfig,
): Promise<ValidateOptions["smsProvider"]> {
  const kind = await smsKindInEffect(knex, crypto, delivery).catch(() => null);
  return kind ? { name: kind, templates: kind === "aliyun" } : null;
}
