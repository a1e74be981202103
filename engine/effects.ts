import type { EmailContent } from "./email/spec.ts";
import type { PushContent } from "./push/spec.ts";
import type { SmsTemplateRequest } from "./sms-template/spec.ts";
import type { WebhookRequest } from "./webhook/spec.ts";

/**
 * What messages.payload holds beside the body: an email's parts, a webhook's request, a
 * template SMS's code, sign name and parameters, or a push's title, icon and click URL.
 */
export type MessagePayload = EmailContent | WebhookRequest | SmsTemplateRequest | PushContent;

import type { Cooldown } from "./rules/types.ts";
import type { Category, Channel } from "./shared/channels.ts";
import { withKey } from "./shared/copy.ts";

/**
 * Timeline entries: what happened to one enrollment, in order, each with a human `detail`
 * support staff can read ("deferred to 08:00 Asia/Shanghai — quiet hours"). The CLI's
 * `--json` output and the runtime's enrollment log use exactly these shapes.
 */
export type TimelineEntry =
  | { type: "entered"; at: number; nodeId: string; detail: string }
  | { type: "waiting"; at: number; nodeId: string; until: number | null; detail: string }
  | { type: "branched"; at: number; nodeId: string; path: string; detail: string }
  | {
      type: "sent";
      at: number;
      nodeId: string;
      channel: Channel;
      body: string;
      parts: number;
      /** The variant sent (its locale, or "default"); absent on a send without variants. */
      variant?: string;
      detail: string;
    }
  | { type: "deferred"; at: number; nodeId: string; until: number; reason: string; detail: string }
  | { type: "suppressed"; at: number; nodeId: string; reason: string; detail: string }
  | { type: "cooldown"; at: number; nodeId: string; until: number; detail: string }
  | {
      type: "converted";
      at: number;
      nodeId: string;
      event: string;
      /** Node of the send credited with the conversion (the last one before it), if any. */
      sendNodeId?: string;
      detail: string;
    }
  | { type: "exited"; at: number; nodeId: string; reason: string; detail: string }
  | {
      type: "updated";
      at: number;
      nodeId: string;
      attribute: string;
      /** The value before (null when unset). */
      from: unknown;
      to: string | number | boolean;
      detail: string;
    }
  | {
      type: "update_failed";
      at: number;
      nodeId: string;
      attribute: string;
      /** not_a_number, not_a_boolean, out_of_range, template_error, too_long or bad_name. */
      reason: string;
      detail: string;
    };

export type TimelineType = TimelineEntry["type"];

export type CooldownScope = Category | "all";

/**
 * Why an enrollment stopped early or ended: `exit_node` (reached an exit), `end_of_path` (a
 * node without an out-edge), `exit_on` (an exitOn event), `missing_attribute` (a wait on a
 * date attribute the profile lacks), `loop_guard` (too many steps in one call).
 */
export type ExitReason =
  | "exit_node"
  | "end_of_path"
  | "exit_on"
  | "missing_attribute"
  | "loop_guard";

/**
 * What the caller must do after `advance`, in order, in the same transaction as the snapshot:
 * queue sends (outbox), append log rows, record cooldowns/opt-outs on the contact.
 */
export type Effect =
  | {
      type: "send";
      nodeId: string;
      channel: Channel;
      category: Category;
      body: string;
      /** SMS only; null for other channels. */
      encoding: "GSM-7" | "UCS-2" | null;
      /** SMS parts (1 for other channels). */
      parts: number;
      /** `${enrollmentKey}:${nodeId}:${visit}`: same value if the step is retried. */
      idempotencyKey: string;
      locale?: string;
      /** Email only: subject, HTML and sender, rendered; `body` is the text part. */
      email?: EmailContent;
      /** Webhook with request fields only: method, URL, headers and body, rendered. */
      webhook?: WebhookRequest;
      /** Push only: title, icon and click URL, rendered; `body` is the notification's text. */
      push?: PushContent;
      /** Template SMS only: code, sign name and rendered parameters; `body` is the text sent. */
      smsTemplate?: SmsTemplateRequest;
      /** The variant sent (its locale, or "default"); absent on a send without variants. */
      variant?: string;
      at: number;
    }
  | { type: "log"; entry: TimelineEntry }
  | {
      type: "cooldown";
      nodeId: string;
      scope: CooldownScope;
      /** `other_journeys`: the journey that started it is not held back (engine/nodes/cooldown.ts). */
      applies: "other_journeys" | "all_journeys";
      until: number;
    }
  | {
      type: "converted";
      event: string;
      /** When the goal event happened (not when it was read): a credit needs the send before it. */
      at: number;
      /** The enrollment's last send before the goal event: the message credited with it. */
      attributedTo?: { nodeId: string; idempotencyKey: string };
    }
  | { type: "exited"; reason: ExitReason; at: number }
  | { type: "optOut"; channel: "*"; category: "*"; at: number; keyword: string }
  | {
      /** An update node's write: the whole new value, so a replayed step writes it again, not +1. */
      type: "attribute";
      nodeId: string;
      attribute: string;
      value: string | number | boolean;
      at: number;
    };

/**
 * The contact-view record of a `cooldown` effect, as every caller (advance, the simulator's
 * store, the ticker's batch) keeps it: with the journey that started it, so an
 * `other_journeys` cooldown can let that journey's own sends through.
 */
export function cooldownRecord(
  e: Extract<Effect, { type: "cooldown" }>,
  journeyId: string,
): Cooldown {
  return { scope: e.scope, until: e.until, journeyId, applies: e.applies };
}

/**
 * The contact view after an `attribute` effect (applied in one place, contact-update.ts): later
 * steps, branches and templates read the new value. Copy-on-write, because views are shared
 * with the caller.
 */
export function withAttribute(
  attributes: Record<string, unknown>,
  e: Extract<Effect, { type: "attribute" }>,
): Record<string, unknown> {
  return withKey<unknown>(attributes, e.attribute, e.value);
}
