import type { JourneyStatus } from "../../api.ts";
import { msgKey } from "../../i18n/index.ts";

/**
 * The journey list's filters, kept in the URL (`?q=cart&status=paused`) so a reload, a shared
 * link or Back from the editor shows the same list. Pure, so it is tested without a DOM.
 */
export interface ListFilter {
  q: string;
  /** "": every status but archived (the server's default). */
  status: JourneyStatus | "";
}

export const STATUSES: readonly JourneyStatus[] = ["draft", "live", "paused", "archived"];

/** Each status's catalog key: a Record, so a status the API gains needs its words. */
export const STATUS_LABELS: Record<JourneyStatus, string> = {
  draft: msgKey("journeys.status.draft"),
  live: msgKey("journeys.status.live"),
  paused: msgKey("journeys.status.paused"),
  archived: msgKey("journeys.status.archived"),
};

export const isStatus = (s: string): s is JourneyStatus =>
  (STATUSES as readonly string[]).includes(s);

export function filterFromSearch(search: string): ListFilter {
  const params = new URLSearchParams(search);
  const status = params.get("status") ?? "";
  return { q: params.get("q") ?? "", status: isStatus(status) ? status : "" };
}

export function searchFromFilter(filter: ListFilter): string {
  const params = new URLSearchParams();
  if (filter.q.trim()) params.set("q", filter.q.trim());
  if (filter.status) params.set("status", filter.status);
  const s = params.toString();
  return s ? `?${s}` : "";
}
