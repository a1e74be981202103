/** Response schemas of the contact and outbox routes (server/routes/contacts.ts, messages.ts). */
import { z } from "zod";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";
import { MessageDetailsSchema } from "./channel-details.ts";
import { Timestamp } from "./common.ts";

/** Roles that see masked data get emails and phones masked (m***@x.com, 138****1234). */
export const ContactSchema = z.object({
  id: z.number(),
  externalId: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  phoneCountry: z.string().nullable(),
  timezone: z.string().nullable(),
  locale: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  /** channel → category → granted (a boolean, or a record with `granted`). */
  consent: z.record(z.string(), z.unknown()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ContactPage = z.object({
  contacts: z.array(ContactSchema),
  /** The `before` of the next page; null on the last. */
  next: z.number().nullable(),
});

export const SuppressionSchema = z.object({
  channel: z.string(),
  category: z.string(),
  reason: z.string(),
  source: z.string().nullable(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
});
export const ContactDetail = z.object({
  contact: ContactSchema,
  suppressions: z.array(SuppressionSchema),
});

/**
 * One row of the enrollment log as the inspector shows it (and socket.io pushes it): the
 * columns, then the step's own fields (engine/effects.ts TimelineEntry), then its message.
 */
export const TimelineRowSchema = z.looseObject({
  id: z.number().optional(),
  at: Timestamp,
  nodeId: z.string().nullable(),
  type: z.string(),
  reason: z.string().nullable().optional(),
  detail: z.string().nullable().optional(),
  body: z.string().optional(),
  parts: z.number().optional(),
  until: z.union([z.string(), z.number()]).nullable().optional(),
  path: z.string().optional(),
  channel: z.string().optional(),
  /** A send with variants: the one sent (its locale, or "default"). */
  variant: z.string().optional(),
  messageId: z.number().optional(),
  messageStatus: z.string().nullable().optional(),
  /** A sent row's channel facts (subject, template code, browsers…). */
  message: MessageDetailsSchema.optional(),
  /** An `opened` row (an email's pixel): true when a machine fetched it, not a person. */
  machine: z.boolean().optional(),
});

export const EnrollmentSchema = z.object({
  id: z.number(),
  journeyId: z.string(),
  journeyName: z.string(),
  version: z.number(),
  versionId: z.number(),
  status: z.string(),
  currentNode: z.string(),
  wakeAt: Timestamp.nullable(),
  held: z.boolean(),
  enteredAt: Timestamp,
  endedAt: Timestamp.nullable(),
  exitReason: z.string().nullable(),
  timeline: z.array(TimelineRowSchema),
});

/** A trigger that did not enter because its journey was paused with "skip new entries". */
export const SkippedEntrySchema = z.looseObject({
  id: z.number(),
  at: Timestamp,
  journeyId: z.string().nullable(),
  journeyName: z.string().nullable(),
  nodeId: z.string().nullable(),
  type: z.literal("skipped"),
  reason: z.string().nullable(),
  detail: z.string().nullable(),
  /** The trigger's event name. */
  event: z.string().optional(),
});

/** An operator's act on a contact (opt-out, opt-in, consent), from the audit log. */
export const SupportActSchema = z.object({
  id: z.number(),
  at: Timestamp,
  /** contact.opt_out, contact.opt_in, contact.consent (any contact-subject audit action). */
  action: z.string(),
  by: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const ContactJourneys = z.object({
  contact: ContactSchema,
  enrollments: z.array(EnrollmentSchema),
  skipped: z.array(SkippedEntrySchema),
  /** Support's own acts on this contact, newest first. */
  support: z.array(SupportActSchema),
});

/** Support's acts (server/routes/contact-support.ts). */
export const OptedOut = z.object({ optedOut: z.literal(true), canceled: z.number() });
export const OptedIn = z.object({ optedIn: z.literal(true), revoked: z.number() });
export const ConsentSet = z.object({
  consent: z.record(
    z.string(),
    z.record(z.string(), z.object({ granted: z.boolean(), source: z.string(), at: Timestamp })),
  ),
});

/** Names templates are checked against (engine/nodes/template-names.ts). */
export const TemplateNamesSchema = z.object({
  user: z.array(z.string()).optional(),
  events: z.record(z.string(), z.array(z.string())).optional(),
});

export const MESSAGE_STATUSES = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "undelivered",
  "failed",
  "canceled",
] as const;

export const MessageSchema = z.object({
  id: z.number(),
  contact: z.string(),
  contactId: z.number(),
  journeyId: z.string().nullable(),
  nodeId: z.string().nullable(),
  channel: z.enum(CHANNELS),
  category: z.enum(CATEGORIES),
  body: z.string(),
  encoding: z.enum(["GSM-7", "UCS-2"]).nullable(),
  parts: z.number(),
  status: z.enum(MESSAGE_STATUSES),
  attempts: z.number(),
  provider: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: Timestamp,
  sentAt: Timestamp.nullable(),
  deliveredAt: Timestamp.nullable(),
  clickedAt: Timestamp.nullable(),
  /** When the journey's goal event was credited to this message (last touch), and which. */
  convertedAt: Timestamp.nullable(),
  conversionEvent: z.string().nullable(),
  /** The send's variant it carries: a locale, "default", or null for a send without variants. */
  variant: z.string().nullable(),
  /** The channel's facts: subject and opens, template code, browsers, webhook target. */
  details: MessageDetailsSchema.nullable(),
});
export const MessageList = z.object({ messages: z.array(MessageSchema) });

/** The outbox's filters (GET /api/messages). */
export const MessageQuery = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  journey: z.string().max(64).optional(),
  contact: z.coerce.number().int().positive().optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
