import type { Knex } from "knex";
import { z } from "zod";
import { DurationSchema, TimeOfDaySchema } from "../../engine/format/primitives.ts";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";
import { DEFAULT_OPT_OUT_LINES } from "../../engine/sms/index.ts";
import { isValidZone } from "../../engine/time/index.ts";
import { SavedPolicy, SettingsSchema } from "../api/admin.ts";
import { auditSettingsChange } from "../audit/settings.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { linkShapeFor } from "../delivery/links.ts";
import { smsKindInEffect } from "../delivery/provider-store.ts";
import { requestOrigin } from "../http/origin.ts";
import type { RouteSpec } from "../http/routes.ts";
import { parseBody } from "../http/validate.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { type policyCache, savePolicy } from "../runtime/policy.ts";

// The journey format's own primitives, so a duration or time valid in a journey is valid here.
const Hhmm = TimeOfDaySchema;
const Duration = DurationSchema;

/** The workspace sending policy as the Settings page edits it; the engine's Policy plus opt-out lines. */
export const PolicySettings = z.object({
  workspaceTimezone: z
    .string()
    .refine((z) => isValidZone(z), "must be an IANA time zone such as Asia/Shanghai"),
  quietHours: z.object({ start: Hhmm, end: Hhmm }).nullable(),
  quietHoursFor: z.array(z.enum(CATEGORIES)),
  caps: z
    .array(
      z.object({
        channel: z.enum(CHANNELS),
        category: z.enum(CATEGORIES),
        max: z.number().int().min(0).max(10_000),
        window: z.union([z.literal("calendar_day"), Duration]),
        onExceed: z.enum(["defer", "suppress"]),
      }),
    )
    .max(50),
  unopenedStreak: z
    .object({ count: z.number().int().min(1).max(100), cooldown: Duration })
    .nullable(),
  consentRequired: z.partialRecord(z.enum(CATEGORIES), z.boolean()),
  optOutLines: z.record(z.string().min(2).max(35), z.string().min(1).max(120)),
});
export type PolicySettingsValue = z.infer<typeof PolicySettings>;

export function settingsRoutes(
  knex: Knex,
  crypto: FieldCrypto,
  policy: ReturnType<typeof policyCache>,
  delivery: DeliveryConfig,
): RouteSpec[] {
  const current = async () => {
    // The provider's own window and limit come from the environment, not from these settings.
    const { providerRules: _fromEnvironment, ...p } = await policy();
    return {
      ...p,
      quietHoursFor: p.quietHoursFor ?? ["promotional"],
      optOutLines: { ...DEFAULT_OPT_OUT_LINES, ...(p.optOutLines ?? {}) },
    };
  };
  return [
    {
      method: "get",
      path: "/api/settings",
      access: "any",
      summary:
        "The workspace sending policy (quiet hours, caps, streak rule, consent, opt-out lines) and provider",
      responses: { 200: SettingsSchema },
      async handler(req, res) {
        res.json({
          policy: await current(),
          // The SMS provider in effect: Settings' choice, else the environment's.
          provider: {
            sms: await smsKindInEffect(knex, crypto, delivery),
            publicUrl: delivery.publicUrl ?? null,
          },
          // The tracked links this server mints, so the editor's SMS counter counts them.
          links: linkShapeFor(delivery.publicUrl, requestOrigin(req)),
        });
      },
    },
    {
      method: "put",
      path: "/api/settings",
      access: [],
      summary: "Replace the workspace sending policy (admin); applies to the next ticks",
      body: z.object({ policy: PolicySettings }),
      responses: { 200: SavedPolicy },
      async handler(req, res) {
        const body = parseBody(z.object({ policy: PolicySettings }), req.body);
        // This process's cached policies are dropped before it answers, other processes' when
        // the NOTIFY sent at commit reaches them (runtime/policy.ts); the audit entry commits
        // with the change.
        const at = new Date();
        await savePolicy(knex, body.policy, at, (trx, previous) =>
          auditSettingsChange(trx, req, previous, body.policy, at),
        );
        res.json({ policy: await current() });
      },
    },
  ];
}
