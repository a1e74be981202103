/**
 * Response shapes of the console's non-journey endpoints (contacts, messages, settings,
 * simulation, keys, operators), kept apart from api.ts so the client stays one short file.
 * They mirror server/routes/*.ts; when a route changes, change its type here.
 */
import type { Journey } from "../../engine/index.ts";

export type Role = "admin" | "marketer" | "support" | "engineer";

export const CHANNELS = ["sms", "email", "push", "webhook"] as const;
export type Channel = (typeof CHANNELS)[number];
export const CATEGORIES = ["promotional", "transactional", "service"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Contact {
  id: number;
  externalId: string;
  /** Masked (m***@x.com) for the support role: the server does it, the console only shows it. */
  email: string | null;
  /** Masked (138****1234) for the support role. */
  phone: string | null;
  phoneCountry: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  /** channel → category → granted (a boolean, or a record with `granted`). */
  consent: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Suppression {
  channel: string;
  category: string;
  reason: string;
  source: string | null;
  createdAt: string;
  revokedAt: string | null;
}

/** One row of the enrollment log, as the inspector returns it (and socket.io pushes it). */
export interface TimelineRow {
  id?: number;
  at: string;
  nodeId: string | null;
  type: string;
  reason?: string | null;
  detail?: string | null;
  body?: string;
  parts?: number;
  until?: string | number | null;
  path?: string;
  channel?: string;
  messageId?: number;
  messageStatus?: string | null;
}

export type EnrollmentStatus = "active" | "completed" | "exited" | string;

export interface Enrollment {
  id: number;
  journeyId: string;
  journeyName: string;
  version: number;
  versionId: number;
  status: EnrollmentStatus;
  currentNode: string;
  wakeAt: string | null;
  held: boolean;
  enteredAt: string;
  endedAt: string | null;
  exitReason: string | null;
  timeline: TimelineRow[];
}

/** A trigger that did not enter because its journey was paused with "skip new entries". */
export interface SkippedEntry {
  id: number;
  at: string;
  journeyId: string;
  journeyName: string | null;
  nodeId: string | null;
  type: "skipped";
  reason: string | null;
  detail: string | null;
  /** The trigger's event name. */
  event?: string;
}

/** An operator's act on a contact (opt-out, opt-in, consent), from the audit log. */
export interface SupportAct {
  id: number;
  at: string;
  action: "contact.opt_out" | "contact.opt_in" | "contact.consent" | string;
  by: string;
  details: {
    channel?: string;
    category?: string;
    granted?: boolean;
    reason?: string | null;
    [key: string]: unknown;
  };
}

/** A test message's outcome, polled by the editor's "Send test". */
export interface TestMessageStatus {
  id: number;
  status: string;
  provider: string | null;
  providerMessageId: string | null;
  lastError: string | null;
  attempts: number;
  body: string;
}

export const MESSAGE_STATUSES = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "canceled",
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface Message {
  id: number;
  contact: string;
  contactId: number;
  journeyId: string | null;
  nodeId: string | null;
  channel: Channel;
  category: Category;
  body: string;
  encoding: "GSM-7" | "UCS-2" | null;
  parts: number;
  status: MessageStatus;
  attempts: number;
  provider: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  clickedAt: string | null;
  /** When the journey's goal event was credited to this message (last touch), and which. */
  convertedAt: string | null;
  conversionEvent: string | null;
}

export interface MessageFilter {
  status?: MessageStatus | undefined;
  channel?: Channel | undefined;
  journey?: string | undefined;
  contact?: number | undefined;
  before?: number | undefined;
  limit?: number | undefined;
}

export interface NodeStats {
  current: number;
  entered: number;
  exited: number;
  sent: number;
  delivered: number;
  clicked: number;
  converted: number;
  suppressed: Record<string, number>;
  deferred: Record<string, number>;
}

export interface JourneyStats {
  journeyId: string;
  nodes: Record<string, NodeStats>;
}

export interface CapRule {
  channel: Channel;
  category: Category;
  max: number;
  /** A rolling ISO 8601 duration ("P30D"), or the contact's local calendar day. */
  window: string;
  onExceed: "defer" | "suppress";
}

export interface Policy {
  workspaceTimezone: string;
  quietHours: { start: string; end: string } | null;
  quietHoursFor: Category[];
  caps: CapRule[];
  unopenedStreak: { count: number; cooldown: string } | null;
  consentRequired: Partial<Record<Category, boolean>>;
  optOutLines: Record<string, string>;
}

export interface Settings {
  policy: Policy;
  provider: { sms: "console" | "webhook" | "twilio"; publicUrl: string | null };
  /** The tracked links this server mints: `${base}/l/<tokenLength characters>`. */
  links: { base: string; tokenLength: number };
}

/** A field-level problem from PUT /api/settings (400 `details`). */
export interface FieldProblem {
  path: string;
  message: string;
}

export interface SimContactInput {
  id?: string;
  timezone?: string;
  phone?: string;
  email?: string;
  locale?: string;
  attributes?: Record<string, unknown>;
  consent?: Record<string, Record<string, boolean>>;
}

export interface SimEventInput {
  at: string;
  name: string;
  properties?: Record<string, unknown>;
}

export interface SimulateRequest {
  journey?: Journey;
  journeyId?: string;
  contact?: SimContactInput;
  contactId?: string;
  events: SimEventInput[];
  from?: string;
  until?: string;
}

export interface SimStep {
  at: string;
  nodeId: string;
  type: string;
  detail: string;
  reason?: string;
  until?: string | null;
  path?: string;
  channel?: string;
  body?: string;
  parts?: number;
}

export interface SimulateResult {
  timeline: SimStep[];
  final: { status: string; nodeId: string | null };
  issues: { code: string; message: string }[];
}

/** A secret key's role: an operator role, or `metrics` (GET /metrics and nothing else). */
export type KeyRole = Role | "metrics";

export interface ApiKey {
  id: number;
  kind: "write" | "secret";
  name: string | null;
  /** What a secret key may do (never more than its creator); null for write keys. */
  role: KeyRole | null;
  /** The first characters of the key, to tell keys apart (the key itself is stored hashed). */
  prefix: string | null;
  /** The creator's email; null for keys made with the CLI. */
  createdBy: string | null;
  /** Set when the creator was disabled: the key no longer works. */
  creatorDisabledAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface OperatorRow {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  disabledAt: string | null;
}

/** One audit log entry (server/audit/types.ts): who did what to which subject, and when. */
export interface AuditEntry {
  id: number;
  at: string;
  actor:
    | { kind: "operator" | "key"; id: number | null; name: string; role: string | null }
    | { kind: "system"; name: string };
  action: string;
  subject: { type: string; id: string | null };
  details: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The `before` cursor of the next page; null on the last. */
  next: number | null;
}
