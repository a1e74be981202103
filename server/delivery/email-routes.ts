import express, { type Request, type Response } from "express";
import type { Knex } from "knex";
import { z } from "zod";
import type { NonJson } from "../api/common.ts";
import { recordOptOut } from "../events/record.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { maskEmail } from "../privacy/mask.ts";
import { isMachineOpen } from "./bots.ts";
import { readEmailLinkToken } from "./email-links.ts";
import { recordMessageEvents } from "./events.ts";
import {
  type EmailMessageRow,
  emailMessage,
  hasActiveOptOut,
  markMachineOpened,
  markOpened,
} from "./sql/email.ts";

const PAGE: NonJson = { mediaType: "text/html", about: "A small page saying what happened" };
const GIF: NonJson = {
  mediaType: "image/gif",
  about: "A 1×1 transparent GIF, whatever the token (a broken image helps no one)",
};
/** The mail client's RFC 8058 one-click POST; the page's own button posts no fields. */
const OneClickForm = z.looseObject({ "List-Unsubscribe": z.literal("One-Click").optional() });

/**
 * Public endpoints an email's own links reach, authenticated by the signed token in the path
 * (email-links.ts), no session:
 *
 *   GET  /u/<token>      a small page: "Unsubscribe a***@shop.example from promotional email?"
 *   POST /u/<token>      the unsubscribe itself: the page's button, and the mail client's
 *                        RFC 8058 one-click POST (body `List-Unsubscribe=One-Click`)
 *   GET  /o/<token>.gif  the open pixel: a 1×1 GIF, and `message.opened` unless a machine fetched it
 *
 * GET never unsubscribes: link scanners and prefetchers follow every URL in a message, and
 * RFC 8058 requires the POST for that reason.
 */
export function emailRoutes(deps: {
  knex: Knex;
  crypto: FieldCrypto;
  now: () => Date;
  onDue?: () => void;
}): RouteSpec[] {
  const form = express.urlencoded({ extended: false, limit: "4kb" });
  return [
    {
      method: "get",
      path: "/u/:token",
      access: "public",
      summary:
        "An email's unsubscribe link (signed token): a page asking to confirm, or saying it is done; GET never unsubscribes (link scanners follow every URL)",
      responses: { 200: PAGE, 404: PAGE },
      async handler(req, res) {
        const message = await unsubscribeTarget(deps, req);
        if (!message) return notFound(res);
        const done = await hasActiveOptOut(deps.knex, message.contactId, "email", message.category);
        const who = message.email ? maskEmail(message.email) : "this address";
        if (done)
          return page(
            res,
            200,
            "Unsubscribed",
            `<p>${esc(who)} is unsubscribed from ${esc(message.category)} email.</p>`,
          );
        page(
          res,
          200,
          "Unsubscribe",
          `<p>Unsubscribe ${esc(who)} from ${esc(message.category)} email?</p>` +
            `<form method="post"><button type="submit">Unsubscribe</button></form>`,
        );
      },
    },
    {
      method: "post",
      path: "/u/:token",
      access: "public",
      summary:
        "Unsubscribe (signed token): the page's button, or the mail client's RFC 8058 one-click POST; opts the contact out of the email's category, queued email canceled",
      before: [form],
      bodyType: "application/x-www-form-urlencoded",
      body: OneClickForm,
      responses: { 200: PAGE, 404: PAGE },
      async handler(req, res) {
        const message = await unsubscribeTarget(deps, req);
        if (!message) return notFound(res);
        const now = deps.now();
        await deps.knex.transaction(async (trx) => {
          if (await hasActiveOptOut(trx, message.contactId, "email", message.category)) return;
          // The channel and the category of the email it came from, at once: queued ones are
          // canceled and waiting journeys woken in this transaction (events/record.ts).
          await recordOptOut(
            trx,
            {
              contactId: message.contactId,
              channel: "email",
              category: message.category,
              reason: "unsubscribe_link",
              source: `email:unsubscribe:${message.id}`,
              detail: oneClick(req) ? "one-click (RFC 8058)" : "unsubscribe page",
            },
            now,
          );
        });
        deps.onDue?.();
        page(
          res,
          200,
          "Unsubscribed",
          `<p>You are unsubscribed from ${esc(message.category)} email.</p>`,
        );
      },
    },
    {
      method: "get",
      path: "/o/:file",
      access: "public",
      summary:
        "An email's open pixel (/o/<signed token>.gif): the image always; message.opened once, unless a machine (a mail proxy's prefetch) fetched it",
      responses: { 200: GIF },
      async handler(req, res) {
        const file = String(req.params.file ?? "");
        const id = file.endsWith(".gif")
          ? readEmailLinkToken(deps.crypto, "open", file.slice(0, -4))
          : null;
        if (id !== null && isMachineOpen(req.get("user-agent"))) {
          // Not an open; kept only so support can tell a prefetch from a person.
          await markMachineOpened(deps.knex, id, deps.now());
        } else if (id !== null) {
          const message = await emailMessage(deps.knex, id);
          if (message) await recordOpen(deps, message);
        }
        // Always the image, whatever happened: a broken image in the reader's inbox helps no one.
        res.set("Cache-Control", "no-store, private");
        res.type("gif").send(PIXEL);
      },
    },
  ];
}

async function recordOpen(
  deps: { knex: Knex; now: () => Date; onDue?: () => void },
  message: EmailMessageRow,
): Promise<void> {
  const now = deps.now();
  const first = await deps.knex.transaction(async (trx) => {
    if (!(await markOpened(trx, message.id, now))) return false;
    const row = {
      id: message.id,
      contact_id: message.contactId,
      journey_id: message.journeyId,
      node_id: message.nodeId,
      status: "opened",
    };
    await recordMessageEvents(trx, "message.opened", [row], now);
    return true;
  });
  if (first) deps.onDue?.();
}

async function unsubscribeTarget(
  deps: { knex: Knex; crypto: FieldCrypto },
  req: Request,
): Promise<EmailMessageRow | null> {
  const id = readEmailLinkToken(deps.crypto, "unsubscribe", String(req.params.token ?? ""));
  if (id === null) return null;
  const message = await emailMessage(deps.knex, id);
  return message?.channel === "email" ? message : null;
}

function oneClick(req: Request): boolean {
  const body: unknown = req.body;
  return (
    typeof body === "object" &&
    body !== null &&
    (body as Record<string, unknown>)["List-Unsubscribe"] === "One-Click"
  );
}

function notFound(res: Response): void {
  page(res, 404, "Link not found", "<p>This unsubscribe link is not valid.</p>");
}

function page(res: Response, status: number, title: string, body: string): void {
  res.set("Cache-Control", "no-store");
  res
    .status(status)
    .type("html")
    .send(
      `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>${title}</title><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">` +
        `<h1 style="font-size:1.4rem">${title}</h1>${body}</body></html>`,
    );
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The smallest transparent GIF (43 bytes). */
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
