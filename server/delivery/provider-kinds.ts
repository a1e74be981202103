import { z } from "zod";
import { parseMailbox } from "../../engine/email/spec.ts";
import type { Channel } from "../../engine/shared/channels.ts";

/**
 * The rules for each provider kind's settings, once: config.ts checks the environment's values
 * with these schemas (naming the variable in its error) and the Settings API checks a stored
 * provider with the same ones (naming the field), so the two can never accept different things.
 * Fields are flat so that a form field, an env variable and a schema key map one to one.
 */

const HTTP_URL = "must be an http(s) URL";

function isHttpUrl(raw: string): boolean {
  try {
    const parsed = new URL(raw);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}

/** A base URL without its trailing slashes (paths are appended to it). */
export const HttpUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine(isHttpUrl, HTTP_URL)
  .transform((u) => u.replace(/\/+$/, ""));

/** A key that authenticates requests: a short one makes the signature or path guessable. */
export const LongSecretSchema = z
  .string()
  .min(16, "must be at least 16 characters")
  .max(512, "must be at most 512 characters");

const Token = z.string().trim().min(1, "is required").max(512, "must be at most 512 characters");

/** Lower-case host names (IPv6 without brackets) that may resolve to private addresses. */
export const AllowHostsSchema = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .transform((h) => h.replace(/^\[|\]$/g, "")),
  )
  .max(100)
  .transform((hosts) => hosts.filter((h) => h !== ""));

const Rate = z.number().min(0, "must be a number ≥ 0").max(100_000);

export const TwilioKind = z.strictObject({
  accountSid: Token,
  authToken: Token,
  /** A phone number (E.164) or a Messaging Service SID (`MG…`). */
  from: Token,
  baseUrl: HttpUrlSchema.default("https://api.twilio.com"),
  /** Messages per second per process; absent: the kind's default (config.ts DEFAULT_RATE). */
  ratePerSecond: Rate.optional(),
});

export const AliyunKind = z.strictObject({
  accessKeyId: Token,
  accessKeySecret: Token,
  endpoint: HttpUrlSchema.default("https://dysmsapi.aliyuncs.com"),
  // A guessable token would let anyone mark messages delivered or opt contacts out.
  callbackToken: LongSecretSchema.optional(),
  dailyLimit: z.number().int("must be an integer ≥ 1").min(1, "must be an integer ≥ 1").default(10),
  /** Messages per second per process; absent: the kind's default (config.ts DEFAULT_RATE). */
  ratePerSecond: Rate.optional(),
});

export const WebhookKind = z.strictObject({
  url: HttpUrlSchema,
  secret: LongSecretSchema,
  lookupUrl: HttpUrlSchema.optional(),
  allowHosts: AllowHostsSchema.default([]),
  /** Messages per second per process; absent: the kind's default (config.ts DEFAULT_RATE). */
  ratePerSecond: Rate.optional(),
});

export const SmtpKind = z.strictObject({
  // The URL holds the password: the message never echoes it.
  smtpUrl: z
    .string()
    .trim()
    .max(2000)
    .refine((raw) => {
      try {
        const { protocol } = new URL(raw);
        return protocol === "smtp:" || protocol === "smtps:";
      } catch {
        return false;
      }
    }, "must be an smtp:// or smtps:// URL"),
  from: z
    .string()
    .trim()
    .refine((s) => parseMailbox(s) !== null, 'must be a sender such as "Shop <news@shop.example>"'),
  ratePerSecond: Rate.default(0),
  // A bare address: it goes into a mailto: URL inside a header, where <, >, ",", "?" or "%"
  // would break it or need escaping; plain local parts (with +tags) are what mailboxes use.
  unsubscribeMailto: z
    .string()
    .trim()
    .max(254)
    .regex(
      /^([A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$/,
      "must be a bare address like unsubscribe@shop.example",
    )
    .default(""),
});

function base64urlOf(bytes: number) {
  return z
    .string()
    .trim()
    .refine(
      (v) => /^[A-Za-z0-9_-]+$/.test(v) && Buffer.from(v, "base64url").length === bytes,
      `must be ${bytes} bytes in base64url (\`waymark vapid-keys\`)`,
    );
}

export const WebPushKind = z.strictObject({
  publicKey: base64urlOf(65),
  privateKey: base64urlOf(32),
  subject: z
    .string()
    .trim()
    .regex(
      /^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/,
      "must be a mailto: address or an https: URL",
    ),
  // Four weeks is what web-push defaults to and about what push services keep at most.
  ttlSeconds: z
    .number()
    .int("must be an integer 0 – 2419200")
    .min(0, "must be an integer 0 – 2419200")
    .max(2_419_200, "must be an integer 0 – 2419200")
    .default(86_400),
  allowHosts: AllowHostsSchema.default([]),
  ratePerSecond: Rate.default(0),
});

export const ConsoleKind = z.strictObject({});

/** Every kind a channel may use, with its schema and which of its fields are secrets. */
export const PROVIDER_KINDS = {
  sms: {
    console: { schema: ConsoleKind, secrets: [] },
    twilio: { schema: TwilioKind, secrets: ["authToken"] },
    aliyun: { schema: AliyunKind, secrets: ["accessKeySecret", "callbackToken"] },
    webhook: { schema: WebhookKind, secrets: ["secret"] },
  },
  email: {
    console: { schema: ConsoleKind, secrets: [] },
    smtp: { schema: SmtpKind, secrets: ["smtpUrl"] },
  },
  push: {
    console: { schema: ConsoleKind, secrets: [] },
    webpush: { schema: WebPushKind, secrets: ["privateKey"] },
  },
  webhook: {
    console: { schema: ConsoleKind, secrets: [] },
    webhook: { schema: WebhookKind, secrets: ["secret"] },
  },
} as const satisfies Record<
  Channel,
  Record<string, { schema: z.ZodObject; secrets: readonly string[] }>
>;

/** A channel's provider settings, checked: what `PROVIDER_KINDS[channel][kind].schema` outputs. */
export type ProviderSettings =
  | { channel: "sms"; kind: "console"; fields: z.output<typeof ConsoleKind> }
  | { channel: "sms"; kind: "twilio"; fields: z.output<typeof TwilioKind> }
  | { channel: "sms"; kind: "aliyun"; fields: z.output<typeof AliyunKind> }
  | { channel: "sms"; kind: "webhook"; fields: z.output<typeof WebhookKind> }
  | { channel: "email"; kind: "console"; fields: z.output<typeof ConsoleKind> }
  | { channel: "email"; kind: "smtp"; fields: z.output<typeof SmtpKind> }
  | { channel: "push"; kind: "console"; fields: z.output<typeof ConsoleKind> }
  | { channel: "push"; kind: "webpush"; fields: z.output<typeof WebPushKind> }
  | { channel: "webhook"; kind: "console"; fields: z.output<typeof ConsoleKind> }
  | { channel: "webhook"; kind: "webhook"; fields: z.output<typeof WebhookKind> };

export function kindsOf(channel: Channel): string[] {
  return Object.keys(PROVIDER_KINDS[channel]);
}

export function kindSpec(
  channel: Channel,
  kind: string,
): { schema: z.ZodObject; secrets: readonly string[] } | null {
  const kinds: Record<string, { schema: z.ZodObject; secrets: readonly string[] }> =
    PROVIDER_KINDS[channel];
  return Object.hasOwn(kinds, kind) ? (kinds[kind] ?? null) : null;
}

export type KindCheck =
  | { ok: true; settings: ProviderSettings }
  | { ok: false; field: string; message: string };

/** Checks `fields` (secrets included) against the kind's schema; the first problem names its field. */
export function checkKind(channel: Channel, kind: string, fields: unknown): KindCheck {
  const spec = kindSpec(channel, kind);
  if (!spec) {
    return { ok: false, field: "kind", message: `must be one of ${kindsOf(channel).join(", ")}` };
  }
  const parsed = spec.schema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join(".") || kind;
    const unknown = issue?.code === "unrecognized_keys" ? issue.keys.join(", ") : null;
    return {
      ok: false,
      field: unknown ?? field,
      message: unknown ? "is not a setting of this provider" : (issue?.message ?? "is invalid"),
    };
  }
  // The schema of (channel, kind) produced these fields: the union member is exactly that one.
  return { ok: true, settings: { channel, kind, fields: parsed.data } as ProviderSettings };
}
