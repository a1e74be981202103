import express, { type Request, type Response } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import { isLinkable } from "../../engine/template/links.ts";
import { ErrorBody, NO_BODY, type NonJson } from "../api/common.ts";
import { HttpError } from "../http/errors.ts";
import { param, type RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import {
  ALIYUN_ACK,
  AliyunAck,
  checkCallbackToken,
  handleSmsReport,
  handleSmsUp,
  SmsReportSchema,
  SmsUpSchema,
} from "./aliyun-routes.ts";
import { isLinkPreviewBot } from "./bots.ts";
import type { DeliveryConfig } from "./config.ts";
import { emailRoutes } from "./email-routes.ts";
import { emailWebhookRoute } from "./email-webhook.ts";
import { recordMessageEvents } from "./events.ts";
import { TOKEN_PATTERN } from "./links.ts";
import { callbackConfigs } from "./provider-store.ts";
import { TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from "./providers/twilio.ts";
import { findLink, markClicked } from "./sql/links.ts";
import { EMPTY_TWIML, handleInbound, handleStatusCallback } from "./twilio-routes.ts";
import type { DeliveryLog } from "./types.ts";

export interface DeliveryRouteOptions {
  knex: Knex;
  crypto: FieldCrypto;
  config: DeliveryConfig;
  log: DeliveryLog;
  now?: () => Date;
  /**
   * Called after a webhook or click was recorded: it may have woken enrollments (a delivered
   * status, a click, an opt-out), so the ticker looks now instead of at its next poll.
   */
  onDue?: () => void;
}

/** The form fields Waymark reads from Twilio's webhooks (Twilio sends many more). */
const StatusForm = z.looseObject({
  MessageSid: z.string(),
  MessageStatus: z.string(),
  ErrorCode: z.string().optional(),
});
const InboundForm = z.looseObject({ MessageSid: z.string(), From: z.string(), Body: z.string() });
const TWIML: NonJson = { mediaType: "text/xml", about: "Empty TwiML: no auto-reply" };
const REDIRECT: NonJson = {
  mediaType: "text/plain",
  about: "A redirect (Location) to the link's URL",
};

/**
 * Public endpoints of delivery: Twilio's webhooks (authenticated by their signature instead of
 * the table's credentials; 404 while Twilio is not configured), tracked-link redirects, an
 * email's unsubscribe page and open pixel (email-routes.ts, signed tokens in the path) and the
 * email bounce/complaint webhook (email-webhook.ts, our signature over its raw body).
 * The Twilio routes bring their own form parser because Twilio posts
 * application/x-www-form-urlencoded and the app only parses JSON.
 */
export function deliveryRoutes(options: DeliveryRouteOptions): RouteSpec[] {
  const deps = { ...options, now: options.now ?? (() => new Date()) };
  const form = express.urlencoded({ extended: false, limit: "64kb" });
  const twilio = {
    method: "post",
    access: "public",
    verifiedBy: "twilioSignature",
    before: [form],
    bodyType: "application/x-www-form-urlencoded",
  } as const;
  return [
    {
      ...twilio,
      path: TWILIO_STATUS_PATH,
      summary:
        "Twilio's status callback: moves the message's status up (never down) and tells journeys waiting on it",
      body: StatusForm,
      responses: { 204: NO_BODY, 403: ErrorBody, 404: ErrorBody },
      async handler(req, res) {
        await handleStatusCallback(deps, req);
        deps.onDue?.();
        res.status(204).end();
      },
    },
    {
      ...twilio,
      path: TWILIO_INBOUND_PATH,
      summary:
        "Twilio's inbound SMS: recorded as message.replied on every contact with the number; STOP-style keywords opt out, START/UNSTOP/YES opt back in",
      body: InboundForm,
      responses: { 200: TWIML, 403: ErrorBody, 404: ErrorBody },
      async handler(req, res) {
        await handleInbound(deps, req);
        deps.onDue?.();
        // Empty TwiML: no auto-reply from us (Twilio's own opt-out handling answers STOP itself).
        res.type("text/xml").send(EMPTY_TWIML);
      },
    },
    {
      method: "post",
      path: "/v1/providers/aliyun/:token/report",
      access: "public",
      summary:
        "Aliyun's delivery receipts (SmsReport, a JSON array): each record found by its out_id moves its message to delivered or undelivered; authenticated by the secret token in the path (ALIYUN_CALLBACK_TOKEN), 404 otherwise",
      body: SmsReportSchema,
      responses: { 200: AliyunAck, 400: ErrorBody, 404: ErrorBody },
      async handler(req, res) {
        checkCallbackToken(
          await callbackConfigs(deps.knex, deps.crypto, deps.config),
          param(req, "token"),
        );
        const moved = await handleSmsReport(deps, parseBody(SmsReportSchema, req.body));
        if (moved > 0) deps.onDue?.();
        res.json(ALIYUN_ACK);
      },
    },
    {
      method: "post",
      path: "/v1/providers/aliyun/:token/up",
      access: "public",
      summary:
        "Aliyun's inbound SMS (SmsUp, a JSON array): recorded as message.replied; TD, T, R, 退订 or N opts the contact out of promotional SMS; authenticated by the secret token in the path (ALIYUN_CALLBACK_TOKEN), 404 otherwise",
      body: SmsUpSchema,
      responses: { 200: AliyunAck, 400: ErrorBody, 404: ErrorBody },
      async handler(req, res) {
        checkCallbackToken(
          await callbackConfigs(deps.knex, deps.crypto, deps.config),
          param(req, "token"),
        );
        await handleSmsUp(deps, parseBody(SmsUpSchema, req.body));
        deps.onDue?.();
        res.json(ALIYUN_ACK);
      },
    },
    {
      method: "get",
      path: "/l/:token",
      access: "public",
      summary:
        "A tracked link: 302 to its URL; the first real click (not a preview bot, not HEAD) marks the message clicked",
      // 404: the JSON error, or for a browser (Accept: text/html) a page saying the same.
      responses: { 302: REDIRECT, 404: ErrorBody },
      async handler(req, res) {
        await handleClick(deps, req, res);
      },
    },
    ...emailRoutes(deps),
    emailWebhookRoute({
      knex: deps.knex,
      crypto: deps.crypto,
      secret: deps.config.emailWebhookSecret,
      now: deps.now,
      ...(deps.onDue ? { onDue: deps.onDue } : {}),
    }),
  ];
}

/**
 * A tracked-link click: "opened" for SMS. Preview bots and HEAD requests are redirected but not
 * counted; the first real click stamps messages.clicked_at, and the event's dedupe key
 * (`click:<message id>`) makes every later click of the same message count once, whichever of
 * its links was clicked.
 */
async function handleClick(
  deps: DeliveryRouteOptions & { now: () => Date },
  req: Request,
  res: Response,
): Promise<void> {
  const token = String(req.params.token ?? "");
  const now = deps.now();
  const link = TOKEN_PATTERN.test(token) ? await findLink(deps.knex, token, now) : null;
  if (!link || !isLinkable(link.url)) return linkNotFound(req, res);
  const counted = req.method === "GET" && !isLinkPreviewBot(req.get("user-agent"));
  const { messageId } = link;
  if (counted && messageId !== null) {
    await deps.knex.transaction(async (trx) => {
      await markClicked(trx, messageId, now);
      const row = {
        id: messageId,
        contact_id: link.contactId,
        journey_id: link.journeyId,
        node_id: link.nodeId,
        status: "clicked",
      };
      await recordMessageEvents(trx, "message.clicked", [row], now, { url: link.url });
    });
    deps.onDue?.();
  }
  // no-store: every click must reach us; no-referrer: the token stays out of the target's logs.
  res.set("Cache-Control", "no-store");
  res.set("Referrer-Policy", "no-referrer");
  res.redirect(302, link.url);
}

function linkNotFound(req: Request, res: Response): void {
  if (req.accepts(["json", "html"]) === "html") {
    res
      .status(404)
      .type("html")
      .send(
        '<!doctype html><meta charset="utf-8"><title>Link expired</title>' +
          "<p>This link has expired or does not exist.</p>",
      );
    return;
  }
  throw new HttpError(404, "link_not_found", "this link has expired or does not exist");
}
