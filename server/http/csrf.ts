import type { IncomingHttpHeaders } from "node:http";
import type { RequestHandler } from "express";
import { HttpError } from "./errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a browser request did not come from a page of this server's own origin, or null when it
 * did or when nothing says otherwise (a script, curl: no browser, no ambient cookie to abuse).
 *
 * SameSite=Lax cookies still travel from *same-site* pages — another port of the same host, a
 * sibling subdomain — so the session cookie alone proves nothing. Browsers tell us where a
 * request comes from: `Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4+), else `Origin`, which
 * they send on every POST/PUT/DELETE and WebSocket handshake. Neither can be set by a page.
 * `X-Forwarded-Host` counts as our host too: a page cannot set it either (not without a CORS
 * preflight we never answer), and a TLS proxy in front may rewrite `Host`.
 */
export function crossOriginReason(headers: IncomingHttpHeaders): string | null {
  const site = headers["sec-fetch-site"];
  if (typeof site === "string") {
    // `none`: the user typed the address or used a bookmark; no page sent it.
    return site === "same-origin" || site === "none" ? null : `Sec-Fetch-Site is ${site}`;
  }
  const origin = headers.origin;
  if (typeof origin !== "string") return null;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return `Origin ${origin} is not ours`; // includes the opaque "null" origin of sandboxed pages
  }
  const ours = [headers.host, headers["x-forwarded-host"]].flatMap((h) =>
    typeof h === "string" ? h.split(",").map((v) => v.trim().toLowerCase()) : [],
  );
  return ours.includes(host.toLowerCase()) ? null : `Origin ${origin} is not ours`;
}

/**
 * Cross-site request forgery guard for the cookie-authenticated API: a state-changing request
 * (anything but GET/HEAD/OPTIONS) must come from our own origin and carry JSON (or no body).
 * A form can post `text/plain`, `multipart/form-data` or urlencoded bodies anywhere without a
 * preflight; it cannot send `application/json` cross-origin, nor an `Authorization` header — so
 * a request with a Bearer key is no forgery (the key, not the cookie, authenticates it) and
 * scripts keep working unchanged.
 */
export function csrfGuard(): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (req.headers.authorization?.startsWith("Bearer ")) return next();
    const hasBody =
      req.headers["transfer-encoding"] !== undefined ||
      Number(req.headers["content-length"] ?? 0) > 0;
    const type = req.headers["content-type"];
    const json = type?.split(";")[0]?.trim().toLowerCase() === "application/json";
    if ((type !== undefined || hasBody) && !json) {
      throw new HttpError(
        415,
        "unsupported_media_type",
        "send the body as application/json (Content-Type: application/json)",
      );
    }
    const reason = crossOriginReason(req.headers);
    if (reason) throw new HttpError(403, "cross_origin", `refused: ${reason}`);
    next();
  };
}
