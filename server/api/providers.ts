import { z } from "zod";
import { CHANNELS } from "../../engine/shared/channels.ts";

/**
 * The Settings → Providers API. Secrets never travel back: a provider answers which of its
 * secret fields are set, never their values. A PUT's `secrets` keeps what it omits, replaces
 * what it names, and clears what it sets to null.
 */
const Fields = z.record(z.string().max(64), z.unknown());
const SecretValues = z.record(z.string().max(64), z.string().max(4096).nullable());

export const ProviderPutBody = z.strictObject({
  kind: z.string().min(1).max(32),
  settings: Fields.default({}),
  secrets: SecretValues.default({}),
});
export type ProviderPutBody = z.infer<typeof ProviderPutBody>;

export const ProviderTestBody = z.strictObject({
  /**
   * A phone number (E.164) for SMS, an address for email, a contact's external id (the userId
   * its browsers registered with) for push, any for webhook.
   */
  to: z.string().trim().min(1).max(320),
  /** The form's settings, tested before saving; omitted: the provider in effect. */
  provider: ProviderPutBody.optional(),
  /** Template providers (Aliyun) send nothing else: the approved template to send. */
  smsTemplate: z
    .strictObject({
      code: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, "must be a template code such as SMS_123"),
      signName: z.string().min(2).max(20),
      params: z
        .array(z.strictObject({ name: z.string().min(1).max(32), value: z.string().max(200) }))
        .max(20)
        .default([]),
    })
    .optional(),
});

export const ProviderView = z.object({
  channel: z.enum(CHANNELS),
  source: z.enum(["settings", "environment"]),
  kind: z.string(),
  /** The kinds this channel may use. */
  kinds: z.array(z.string()),
  /** Stored non-secret settings; empty for the environment's (its values stay in the env). */
  settings: z.record(z.string(), z.unknown()),
  /** Per secret field of the stored kind: whether a value is stored. */
  secrets: z.record(z.string(), z.enum(["set", "not set"])),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type ProviderView = z.infer<typeof ProviderView>;

export const ProviderList = z.object({ providers: z.array(ProviderView) });

export const ProviderTestResult = z.object({
  channel: z.enum(CHANNELS),
  kind: z.string(),
  /** sent: the provider accepted it; otherwise what delivery would have made of the answer. */
  result: z.enum(["sent", "retry", "unknown", "failed", "timeout"]),
  providerMessageId: z.string().nullable(),
  error: z.string().nullable(),
  ms: z.number(),
});
export type ProviderTestResult = z.infer<typeof ProviderTestResult>;
