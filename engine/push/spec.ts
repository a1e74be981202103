import { z } from "zod";

/**
 * What a web-push send says beyond the SMS-shaped SendSpec: the send's `template` is the
 * notification's body, these are the rest. Nested like `send.email` and `send.webhook`, so a push
 * send written before push had fields (a `template` only) keeps parsing, with the journey's name
 * as its title. URLs are checked by validation (engine/push/issues.ts), not the schema, so the
 * editor can paint a half-typed URL on the node instead of refusing the draft.
 */
export const PushFieldsSchema = z.strictObject({
  /** Liquid. Browsers show one line of it; the rendered title is cut at 200 characters. */
  title: z.string().min(1).max(200),
  /** https URL of the icon shown beside it; Liquid in the path and query only. */
  icon: z.string().min(1).max(2000).optional(),
  /**
   * Where a click on the notification goes: http(s), Liquid in the path and query only. Sent as
   * a tracked link (`/l/<token>`), so a click counts as the message's click like an SMS link's.
   */
  url: z.string().min(1).max(2000).optional(),
});
export type PushFields = z.infer<typeof PushFieldsSchema>;

/** A notification as rendered for one contact: the send effect and messages.payload carry it. */
export const PushContentSchema = z.strictObject({
  title: z.string(),
  icon: z.string().nullable(),
  /** The click URL as sent (a tracked link where the runtime mints them), or null. */
  url: z.string().nullable(),
});
export type PushContent = z.infer<typeof PushContentSchema>;

/**
 * What the site's service worker receives, JSON in the encrypted payload: `tag` is the message's
 * provider key, so a notification resent after an unknown outcome replaces the one shown
 * (`showNotification(title, { tag })`) instead of stacking a second.
 */
export type PushPayload = {
  title: string;
  body: string;
  icon?: string;
  url?: string;
  tag: string;
};

/**
 * Push services must accept 4,096 bytes of encrypted body (RFC 8030 §7.2); aes128gcm's header
 * (86 bytes with a 65-byte key), tag (16) and padding delimiter (1) leave 3,993 for the JSON.
 */
export const PUSH_PAYLOAD_MAX_BYTES = 3993;
