import nodemailer from "nodemailer";
import { escapeHtml } from "../../../engine/email/compose.ts";
import { parseMailbox } from "../../../engine/email/spec.ts";
import type { FieldCrypto } from "../../privacy/keys.ts";
import type { EmailConfig } from "../config.ts";
import { type EmailLinks, emailLinks } from "../email-links.ts";
import type { Provider, SendRequest, SendResult } from "../types.ts";
import { scrubNumbers } from "./http.ts";

/**
 * Email over SMTP through nodemailer: one pooled transport per process (connections reused
 * across messages, at most the channel's concurrency), TLS as the URL says — `smtps://` from the
 * first byte, `smtp://` upgraded by STARTTLS when the server offers it.
 *
 * Per message:
 *  - `Message-ID: <provider key@sender's domain>`. The provider key is the outbox row's UUID,
 *    the same on every attempt, so a message resent after a call whose outcome was unknown
 *    carries the Message-ID of the first: recognisable as the same message by the relay, the
 *    inbox and whoever reads the logs. SMTP has no lookup, so such a resend happens (at least
 *    once; the README's guarantees table).
 *  - Promotional mail carries the bulk-sender headers Gmail and Yahoo require since 2024:
 *    `List-Unsubscribe: <https one-click URL>` and `List-Unsubscribe-Post:
 *    List-Unsubscribe=One-Click` (RFC 8058), and a visible unsubscribe link at the end of the
 *    text and HTML bodies. The URL's token is signed for this message (email-links.ts). With
 *    WAYMARK_EMAIL_UNSUBSCRIBE_MAILTO the header also offers `<mailto:…?subject=unsubscribe
 *    %20<token>>` after the URL; that mail reaches the operator's mailbox, not us, and is
 *    reported through POST /v1/email/events `{"type":"unsubscribe","token":…}`.
 *  - HTML mail gets a 1×1 open pixel at its end.
 *
 * What an SMTP answer means: a reply the server marks permanent (5xx) fails the message; any
 * other reply (4xx: mailbox busy, greylisting, rate limit) is retried with backoff. Without a
 * reply: failures before the message could have been taken (no connection, DNS, TLS,
 * authentication, a connect or greeting timeout) are retried; a connection lost or timed out
 * later may have delivered it, and is an unknown outcome.
 */
export function createSmtpProvider(options: {
  config: EmailConfig;
  crypto: FieldCrypto;
  /** Where the unsubscribe and pixel links point (WAYMARK_PUBLIC_URL or the server's URL). */
  linkBase: string;
  timeoutMs: number;
  /** Pooled connections: the channel's concurrency (WAYMARK_DELIVERY_CONCURRENCY). */
  maxConnections: number;
}): Provider & { close(): void } {
  const { config, crypto, linkBase } = options;
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: options.maxConnections,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    name: "smtp",
    ratePerSecond: config.ratePerSecond,
    async send(request: SendRequest): Promise<SendResult> {
      const links = emailLinks(linkBase, crypto, request.messageId, config.unsubscribeMailto);
      const mail = compose(request, config.from, links);
      try {
        const info = await transport.sendMail(mail);
        return { kind: "sent", providerMessageId: String(info.messageId ?? mail.messageId) };
      } catch (err) {
        return smtpOutcome(err);
      }
    },
    close() {
      transport.close();
    },
  };
}

interface Composed {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers: Record<string, string>;
}

/** The message as it goes out; exported for the test of its exact shape. */
export function compose(request: SendRequest, defaultFrom: string, links: EmailLinks): Composed {
  const e = request.email;
  const from = e?.from ?? defaultFrom;
  const domain = parseMailbox(from)?.address.split("@")[1] ?? "waymark.invalid";
  const promotional = request.category === "promotional";
  const headers: Record<string, string> = {};
  let text = request.body;
  let html = e?.html ?? undefined;
  if (promotional) {
    // https first: RFC 8058's one-click POST is made to it; the mailto: is for clients that
    // only write mail (RFC 2369 lists them in order of preference).
    headers["List-Unsubscribe"] = links.mailto
      ? `<${links.unsubscribe}>, <${links.mailto}>`
      : `<${links.unsubscribe}>`;
    headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
    text = `${text}\n\n--\nUnsubscribe: ${links.unsubscribe}\n`;
    if (html !== undefined) {
      const href = escapeHtml(links.unsubscribe);
      html = beforeBodyEnd(
        html,
        `<p style="font-size:12px;color:#666">Don't want these emails? <a href="${href}">Unsubscribe</a></p>`,
      );
    }
  }
  if (html !== undefined) {
    html = beforeBodyEnd(
      html,
      `<img src="${escapeHtml(links.pixel)}" width="1" height="1" alt="" style="display:block;border:0">`,
    );
  }
  const mail: Composed = {
    from,
    to: request.to,
    subject: e?.subject ?? "",
    text,
    messageId: `<${request.idempotencyKey}@${domain}>`,
    headers,
  };
  if (e?.replyTo) mail.replyTo = e.replyTo;
  if (html !== undefined) mail.html = html;
  return mail;
}

function beforeBodyEnd(html: string, block: string): string {
  const at = html.search(/<\/body>/i);
  return at < 0 ? html + block : html.slice(0, at) + block + html.slice(at);
}

/** Nothing can have been taken: no connection, no TLS, no login, no greeting yet. */
const BEFORE_MESSAGE = new Set(["EDNS", "ETLS", "EAUTH", "ENOAUTH", "EREQUIRETLS", "ECONNREFUSED"]);
const EARLY_TIMEOUTS = new Set(["CONNECT_TIMEOUT", "GREETING_TIMEOUT", "UPGRADE_TIMEOUT"]);
const REFUSED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

export function smtpOutcome(err: unknown): SendResult {
  const e = (err ?? {}) as {
    message?: unknown;
    code?: unknown;
    originalCode?: unknown;
    responseCode?: unknown;
    permanent?: unknown;
    timeoutType?: unknown;
  };
  const error = scrubNumbers(String(e.message ?? err).slice(0, 300));
  if (typeof e.responseCode === "number") {
    // nodemailer's `permanent`: 5xx except 503 (RFC 5321 §4.2.1); without it, the class.
    const permanent = typeof e.permanent === "boolean" ? e.permanent : e.responseCode >= 500;
    return permanent ? { kind: "failed", error } : { kind: "retry", error };
  }
  const code = String(e.code ?? "");
  const original = String(e.originalCode ?? "");
  if (BEFORE_MESSAGE.has(code) || REFUSED.has(original) || REFUSED.has(code)) {
    return { kind: "retry", error };
  }
  if (code === "ETIMEDOUT" && EARLY_TIMEOUTS.has(String(e.timeoutType ?? ""))) {
    return { kind: "retry", error };
  }
  return { kind: "unknown", error };
}
