/** What the inspector and the outbox show of a message beyond its text, per channel. */
import { z } from "zod";
import { Timestamp } from "./common.ts";

/**
 * A message's channel-specific facts (server/contacts/channel-details.ts): an email's subject,
 * sender and opens; a template SMS's code, sign name and filled parameters; a push's title,
 * click destination and the push services (browsers) that accepted it; a webhook's method and
 * URL, with query values and every header left out (they carry tokens).
 */
export const MessageDetailsSchema = z.discriminatedUnion("channel", [
  z.object({
    channel: z.literal("email"),
    subject: z.string().nullable(),
    from: z.string().nullable(),
    /** A person's first open of the pixel. */
    openedAt: Timestamp.nullable(),
    /** A machine's first fetch of it (a mail proxy's prefetch): not an open. */
    machineOpenedAt: Timestamp.nullable(),
  }),
  z.object({
    channel: z.literal("sms"),
    /** A template SMS's (a free-text SMS has no facts beyond its text: no details at all). */
    template: z.object({
      code: z.string(),
      signName: z.string(),
      params: z.array(z.object({ name: z.string(), value: z.string() })),
    }),
  }),
  z.object({
    channel: z.literal("push"),
    title: z.string().nullable(),
    /** Where a click goes: the tracked link's destination. */
    clickUrl: z.string().nullable(),
    /** One per browser subscription whose push service took the message. */
    accepted: z.array(z.object({ service: z.string(), at: Timestamp })),
  }),
  z.object({
    channel: z.literal("webhook"),
    method: z.string().nullable(),
    /** Origin and path; query values replaced by "…". */
    url: z.string().nullable(),
  }),
]);
export type MessageDetails = z.infer<typeof MessageDetailsSchema>;
