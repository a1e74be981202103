import type { Category, Channel, KeyRole, MessageStatus, Role } from "../api.ts";
import { msgKey } from "./index.ts";

/*
 * Catalog keys of the codes several pages show (channels, categories, message statuses).
 * Records over the API's unions, so a code the server gains fails the typecheck until it has
 * words; `labelOf` shows an unknown code (an older row) as it is.
 */

export const CHANNEL_LABELS: Record<Channel, string> = {
  sms: msgKey("channel.sms"),
  email: msgKey("channel.email"),
  push: msgKey("channel.push"),
  webhook: msgKey("channel.webhook"),
};

/** A channel as a tag beside other facts ("SMS · promotional · 1 part"), upper case in English. */
export const CHANNEL_TAGS: Record<Channel, string> = {
  sms: msgKey("channelTag.sms"),
  email: msgKey("channelTag.email"),
  push: msgKey("channelTag.push"),
  webhook: msgKey("channelTag.webhook"),
};

export const CATEGORY_LABELS: Record<Category, string> = {
  promotional: msgKey("category.promotional"),
  transactional: msgKey("category.transactional"),
  service: msgKey("category.service"),
};

export const MESSAGE_STATUS_LABELS: Record<MessageStatus, string> = {
  queued: msgKey("messageStatus.queued"),
  sending: msgKey("messageStatus.sending"),
  sent: msgKey("messageStatus.sent"),
  delivered: msgKey("messageStatus.delivered"),
  undelivered: msgKey("messageStatus.undelivered"),
  failed: msgKey("messageStatus.failed"),
  canceled: msgKey("messageStatus.canceled"),
};

/** Roles of operators and of secret keys (a key may also be `metrics`). */
export const ROLE_LABELS: Record<Role | KeyRole, string> = {
  admin: msgKey("role.admin"),
  engineer: msgKey("role.engineer"),
  marketer: msgKey("role.marketer"),
  support: msgKey("role.support"),
  metrics: msgKey("role.metrics"),
};

/** The key of `code` in `table`, or null: the caller shows the code itself. */
export function labelOf(table: Readonly<Record<string, string>>, code: unknown): string | null {
  return typeof code === "string" && Object.hasOwn(table, code) ? (table[code] ?? null) : null;
}

/** Why a send was held or not sent (engine/rules/types.ts REASON_CODES, render failures). */
export const SEND_REASON_LABELS: Record<string, string> = {
  opted_out: msgKey("timeline.reason.opted_out"),
  no_consent: msgKey("timeline.reason.no_consent"),
  quiet_hours: msgKey("timeline.reason.quiet_hours"),
  frequency_cap: msgKey("timeline.reason.frequency_cap"),
  cooldown: msgKey("timeline.reason.cooldown"),
  unopened_streak: msgKey("timeline.reason.unopened_streak"),
  provider_window: msgKey("timeline.reason.provider_window"),
  provider_limit: msgKey("timeline.reason.provider_limit"),
  template_budget: msgKey("timeline.reason.template_budget"),
  template_error: msgKey("timeline.reason.template_error"),
};
