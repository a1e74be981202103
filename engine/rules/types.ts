/**
 * Suppression rules: whether a message may go to a contact now, later, or never.
 *
 * Terminology
 * - **send**: one message a journey node wants to deliver (channel + category).
 * - **allow**: deliver now. **defer**: hold until `until`, then ask again (never a silent
 *   drop: quiet hours and cap deferrals always resume). **suppress**: do not deliver this
 *   message at all; the journey moves on and the log records `reason`.
 * - **opened**: for SMS, the tracked link in the message was clicked (never "delivered").
 * - **zone**: the contact's IANA zone, resolved profile → phone country → workspace.
 * All instants are epoch milliseconds; `now` is passed in, never read from a clock.
 */
import type { Category, Channel } from "../shared/channels.ts";
import type { ProviderRules } from "./provider.ts";

export type SendRequest = {
  channel: Channel;
  category: Category;
  journeyId: string;
  nodeId: string;
};

export type ConsentRecord = { granted: boolean; source?: string; at?: number };

export type OptOut = {
  channel: Channel | "*";
  category: Category | "*";
  at: number;
  source?: string;
};

export type SentMessage = {
  at: number;
  channel: Channel;
  category: Category;
  opened: boolean;
  journeyId: string;
  nodeId: string;
};

export type Cooldown = {
  scope: Category | "all";
  until: number;
  reason?: string;
  /** The journey that started it (a cooldown node); absent for support's and the streak's. */
  journeyId?: string;
  /**
   * `other_journeys`: sends of `journeyId` pass. Absent or `all_journeys`: every send of the
   * scope is held, whoever sends it (what every cooldown meant before the choice existed).
   */
  applies?: "other_journeys" | "all_journeys";
};

export type ContactState = {
  /** Profile zone (IANA). Invalid names are ignored, not fatal. */
  timezone?: string | null;
  /** Used for its country when the profile has no valid zone. */
  phone?: string | null;
  consent: Partial<Record<Channel, Partial<Record<Category, ConsentRecord>>>>;
  optOuts: OptOut[];
  /** Sends across ALL journeys (caps and streaks are per contact, not per journey); any order. */
  recentSends: SentMessage[];
  /**
   * When the SMS sent to the contact's phone NUMBER went, whoever they were for (two contacts
   * can share a number, and a contact's number can change): the provider's daily limit counts
   * per number (rules/provider.ts). Loaded only for its day; absent, the contact's own SMS
   * sends are counted instead.
   */
  phoneSends?: number[];
  /** Active and recently expired cooldowns; keep the last expired one (see unopened-streak.ts). */
  cooldowns: Cooldown[];
};

export type CapRule = {
  channel: Channel;
  category: Category;
  max: number;
  /** Rolling ISO 8601 duration (e.g. "P30D"), or the contact's local calendar day. */
  window: string | "calendar_day";
  onExceed: "defer" | "suppress";
};

export type Policy = {
  /** Zone used when the contact has neither a valid profile zone nor a phone country. */
  workspaceTimezone: string;
  /** The ALLOWED sending window in the contact's local time: start <= local < end. */
  quietHours: { start: string; end: string } | null;
  /** Categories quiet hours apply to. Default ["promotional"]: a shipping notice may go at 22:00. */
  quietHoursFor?: Category[];
  caps: CapRule[];
  /** N most recent promotional sends on a channel all unopened → cooldown of that length. */
  unopenedStreak: { count: number; cooldown: string } | null;
  /** Whether a category needs an explicit grant. Default: promotional yes, others no. */
  consentRequired: Partial<Record<Category, boolean>>;
  /** What the channel's provider allows (rules/provider.ts); set by the runtime, not saved. */
  providerRules?: ProviderRules | null;
};

export const REASON_CODES = [
  "opted_out",
  "no_consent",
  "quiet_hours",
  "frequency_cap",
  "cooldown",
  "unopened_streak",
  "provider_window",
  "provider_limit",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export type Decision =
  | { kind: "allow"; zone: string }
  | { kind: "defer"; until: number; reason: ReasonCode; detail: string; zone: string }
  | {
      kind: "suppress";
      reason: ReasonCode;
      detail: string;
      /** The unopened streak's cooldown: held for every journey (the contact is not reading). */
      startCooldown?: { scope: "all" | Category; until: number };
    };

export type DeferDecision = Extract<Decision, { kind: "defer" }>;
export type SuppressDecision = Extract<Decision, { kind: "suppress" }>;

/** One rule: null when the send passes it. `zone` is the contact's resolved zone. */
export type Rule = (
  send: SendRequest,
  contact: ContactState,
  policy: Policy,
  now: number,
  zone: string,
) => Decision | null;
