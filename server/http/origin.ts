import type { Request } from "express";

/**
 * The address a request reached us at: scheme and Host (behind a loopback proxy, the proxy's,
 * since app.ts trusts loopback). What `waymark start` mints tracked links with when no public
 * URL is configured (server.ts uses its own URL).
 */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.get("host") ?? "localhost"}`;
}
