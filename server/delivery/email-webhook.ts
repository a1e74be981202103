import express from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { ErrorBody, NO_BODY } from "../api/common.ts";
import { recordOptOut } from "../events/record.ts";
import { HttpError } from "../http/errors.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { readEmailLinkToken } from "./email-links.ts";
import { recordMessageEvents } from "./events.ts";
import { verifyWebhookSignature } from "./signatures.ts";
import {
  contactsByEmail,
  emailMessage,
  hasActiveOptOut,
  markBounced,
  messageByMessageId,
} from "./sql/email.ts";

/**
 * Bounces and complaints, from whatever watches the mailbox side of SMTP (the relay's event
 * webhook through a small adapter, a bounce-mailbox parser):
 *
 *   POST /v1/email/events
 *   Content-Type: application/json
 *   X-Waymark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<raw body>", WAYMARK_EMAIL_WEBHOOK_SECRET)>
 *
 *   {"type": "bounce", "bounce": "hard", "messageId": "<…@shop.example>", "detail": "550 5.1.1 no such user"}
 *   {"type": "complaint", "messageId": "<…@shop.example>"}
 *   {"type": "unsubscribe", "token": "<the token after 'unsubscribe ' in the mail's subject>"}
 *
 * `messageId` is the Message-ID header of the email (the provider message id we stored). The
 * signature is the one our own webhook provider sends (signatures.ts), checked over the raw
 * bytes, within five minutes. Answers: 204 done (also for a repeat), 401 bad signature, 400 a
 * body that does not match (naming the field), 404 no email with that Message-ID, or the
 * endpoint when no secret is configured.
 *
 * A bounce marks the message failed (`message.failed` for journeys waiting on it). A hard bounce
 * (the mailbox does not exist) and a complaint (the person pressed "spam") also suppress the
 * address: every contact with it is opted out of all email, reason `provider`, source naming the
 * Message-ID. A soft bounce (mailbox full) suppresses nothing.
 *
 * An unsubscribe is the mail a person's client sent to the List-Unsubscribe `mailto:`
 * (WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO). That mailbox is the operator's, so we never see the mail:
 * whatever reads it posts the token from its subject here. It does what the https one-click
 * does (email-routes.ts): the contact is opted out of that email's category on email at once,
 * reason `unsubscribe_link`, source `email:unsubscribe-mail:<message id>`; 404 for a token we
 * did not sign.
 */

export const EMAIL_EVENTS_PATH = "/v1/email/events";

const EventSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("bounce"),
    bounce: z.enum(["hard", "soft"]),
    messageId: z.string().min(3).max(998),
    detail: z.string().max(1000).optional(),
  }),
  z.strictObject({
    type: z.literal("complaint"),
    messageId: z.string().min(3).max(998),
    detail: z.string().max(1000).optional(),
  }),
  z.strictObject({
    type: z.literal("unsubscribe"),
    token: z.string().min(3).max(100),
    detail: z.string().max(1000).optional(),
  }),
]);
type EmailEvent = z.infer<typeof EventSchema>;

export function emailWebhookRoute(deps: {
  knex: Knex;
  crypto: FieldCrypto;
  secret: string | undefined;
  now: () => Date;
  onDue?: () => void;
}): RouteSpec {
  // Signed over its raw bytes: the route reads its own body, before the app's JSON parser.
  const raw = express.text({ type: () => true, limit: "64kb" });
  return {
    method: "post",
    path: EMAIL_EVENTS_PATH,
    access: "public",
    summary:
      "Email bounces, complaints and mailed unsubscribes (signed, X-Waymark-Signature): a bounce fails the message; a hard bounce or a complaint opts every contact with the address out of all email; an unsubscribe opts the contact out of the email's category",
    verifiedBy: "webhookSignature",
    ownBody: true,
    before: [raw],
    body: EventSchema,
    responses: { 204: NO_BODY, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody },
    async handler(req, res) {
      const secret = deps.secret;
      if (!secret)
        throw new HttpError(404, "not_configured", "the email event webhook is not configured");
      const body = typeof req.body === "string" ? req.body : "";
      const now = deps.now();
      if (
        !verifyWebhookSignature(
          secret,
          req.get("x-waymark-signature"),
          body,
          Math.floor(now.getTime() / 1000),
        )
      ) {
        throw new HttpError(401, "bad_signature", "X-Waymark-Signature does not match this body");
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new HttpError(400, "invalid_json", "the body is not JSON");
      }
      const parsed = EventSchema.safeParse(json);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        const field = first?.path.join(".") || "type";
        throw new HttpError(400, "invalid_event", `${field}: ${first?.message ?? "invalid"}`, {
          field,
        });
      }
      const event = parsed.data;
      if (event.type === "unsubscribe") await unsubscribe(deps, event, now);
      else await bounceOrComplaint(deps.knex, event, now);
      deps.onDue?.();
      res.status(204).end();
    },
  };
}

async function bounceOrComplaint(
  knex: Knex,
  event: Exclude<EmailEvent, { type: "unsubscribe" }>,
  now: Date,
): Promise<void> {
  const id = event.messageId.startsWith("<") ? event.messageId : `<${event.messageId}>`;
  const message = await messageByMessageId(knex, id);
  if (!message) throw new HttpError(404, "message_not_found", "no email with that Message-ID");
  await knex.transaction(async (trx) => {
    if (event.type === "bounce") {
      const error = `bounced (${event.bounce})${event.detail ? `: ${event.detail}` : ""}`;
      const row = await markBounced(trx, message.id, error.slice(0, 500), now);
      if (row)
        await recordMessageEvents(trx, "message.failed", [row], now, { bounce: event.bounce });
      if (event.bounce === "soft") return;
    }
    const contacts = message.email
      ? await contactsByEmail(trx, message.email)
      : [message.contactId];
    for (const contactId of contacts) {
      if (await hasActiveOptOut(trx, contactId, "email", "*")) continue;
      await recordOptOut(
        trx,
        {
          contactId,
          channel: "email",
          category: "*",
          reason: "provider",
          source: `email:${event.type}:${id}`.slice(0, 300),
          detail: event.type === "bounce" ? "hard bounce" : "complaint",
        },
        now,
      );
    }
  });
}

/** The mailto: unsubscribe, reported by the operator's mailbox: as the one-click POST does. */
async function unsubscribe(
  deps: { knex: Knex; crypto: FieldCrypto },
  event: Extract<EmailEvent, { type: "unsubscribe" }>,
  now: Date,
): Promise<void> {
  const id = readEmailLinkToken(deps.crypto, "unsubscribe", event.token);
  const message = id === null ? null : await emailMessage(deps.knex, id);
  if (message?.channel !== "email")
    throw new HttpError(404, "message_not_found", "no email with that unsubscribe token");
  await deps.knex.transaction(async (trx) => {
    if (await hasActiveOptOut(trx, message.contactId, "email", message.category)) return;
    await recordOptOut(
      trx,
      {
        contactId: message.contactId,
        channel: "email",
        category: message.category,
        reason: "unsubscribe_link",
        source: `email:unsubscribe-mail:${message.id}`,
        detail: (event.detail ?? "unsubscribe mail (List-Unsubscribe mailto:)").slice(0, 300),
      },
      now,
    );
  });
}
