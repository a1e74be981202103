import express, { type Request, type Response } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { findUnstorable } from "../../engine/shared/text.ts";
import { ErrorBody } from "../api/common.ts";
import {
  checkedEndpoint,
  checkedSubscription,
  endpointHash,
  PushSubscriptionBody,
  PushUnsubscribeBody,
} from "../contacts/push-subscriptions.ts";
import { deleteSubscriptionByHash, saveSubscription } from "../contacts/sql/push-subscriptions.ts";
import { resolveContacts } from "../contacts/upsert.ts";
import { HttpError } from "../http/errors.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { ingestAuth } from "./auth.ts";

/**
 * Web-push subscriptions, registered the way a site registers everything else with us: by its
 * write key, from its backend (or its page), beside /v1/identify. The site's page subscribes
 * with our VAPID public key (GET /v1/push/vapid-public-key) as `applicationServerKey` and posts
 * `subscription.toJSON()` for its user; the contact is created if the user is new, like a
 * track for an unknown user. A subscription is a small JSON object, so bodies stop at 8 KB.
 */

export const PUSH_BODY_LIMIT = 8 * 1024;

const pushBody = express.json({ type: () => true, limit: PUSH_BODY_LIMIT });

const Registered = z.object({ success: z.literal(true) });
const Removed = z.object({
  success: z.literal(true),
  removed: z.boolean().meta({ description: "false when no subscription had that endpoint" }),
});
const VapidKey = z.object({
  publicKey: z
    .string()
    .meta({ description: "the VAPID public key (base64url), the applicationServerKey" }),
});

export interface PushRouteDeps {
  knex: Knex;
  crypto: FieldCrypto;
  now: () => Date;
  /** WAYMARK_VAPID_PUBLIC_KEY; unset: push is not configured and the key route answers 404. */
  vapidPublicKey: string | undefined;
  ratePerSecond?: number;
}

export function pushSubscriptionRoutes(deps: PushRouteDeps): RouteSpec[] {
  const auth = ingestAuth({ knex: deps.knex, perSecond: deps.ratePerSecond ?? 2000 });
  const authenticated = async (req: Request, res: Response, next: (err?: unknown) => void) => {
    await auth(req, res);
    next();
  };
  const common = {
    access: "public",
    verifiedBy: "writeKey",
    ownBody: true,
    before: [authenticated, pushBody],
  } as const;
  return [
    {
      method: "get",
      path: "/v1/push/vapid-public-key",
      // Public by nature: every page that subscribes hands it to the browser.
      access: "public",
      summary:
        "The VAPID public key a page passes as applicationServerKey to pushManager.subscribe(); 404 while push is not configured",
      responses: { 200: VapidKey, 404: ErrorBody },
      handler(_req, res) {
        if (!deps.vapidPublicKey) {
          throw new HttpError(404, "push_not_configured", "WAYMARK_VAPID_PUBLIC_KEY is not set");
        }
        res.json({ publicKey: deps.vapidPublicKey });
      },
    },
    {
      ...common,
      method: "post",
      path: "/v1/push/subscriptions",
      summary:
        "Register a browser's PushSubscription (endpoint, keys.p256dh, keys.auth) for a user; stored encrypted, several per user, the same endpoint moved to the newest user. A bad field is a 400 naming it",
      body: PushSubscriptionBody,
      responses: { 200: Registered, 401: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      async handler(req, res) {
        const body = parsed(PushSubscriptionBody, req.body);
        const subscription = checkedSubscription(body);
        const now = deps.now();
        await deps.knex.transaction(async (trx) => {
          const userId = body.userId.trim();
          const contacts = await resolveContacts(trx, [{ externalId: userId, create: true }], now);
          const contact = contacts.get(userId);
          if (!contact) throw new Error("contact neither found nor created");
          await saveSubscription(trx, deps.crypto, {
            contactId: contact.id,
            endpointHash: endpointHash(deps.crypto, subscription.endpoint),
            subscription,
            now,
          });
        });
        res.json({ success: true });
      },
    },
    {
      ...common,
      method: "delete",
      path: "/v1/push/subscriptions",
      summary:
        "Remove a subscription by its endpoint (the browser unsubscribed, or the user signed out on it)",
      body: PushUnsubscribeBody,
      responses: { 200: Removed, 401: ErrorBody, 413: ErrorBody, 429: ErrorBody },
      async handler(req, res) {
        const body = parsed(PushUnsubscribeBody, req.body);
        const endpoint = checkedEndpoint(body.endpoint, "endpoint");
        const removed = await deleteSubscriptionByHash(
          deps.knex,
          endpointHash(deps.crypto, endpoint),
        );
        res.json({ success: true, removed });
      },
    },
  ];
}

/** The body through its schema; the first problem, or unstorable text, is a 400 naming the field. */
function parsed<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const bad = findUnstorable(body);
  if (bad) {
    const field = bad.join(".") || "body";
    throw new HttpError(400, "invalid_text", `${field}: holds a NUL character or a lone surrogate`);
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.map(String).join(".") || "body";
    throw new HttpError(400, "invalid_body", `${field}: ${issue?.message ?? "invalid"}`, [
      { path: field, message: issue?.message ?? "invalid" },
    ]);
  }
  return r.data;
}
