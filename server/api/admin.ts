/**
 * Response schemas of settings, keys, operators, the lookup audit and the session
 * (server/routes/settings.ts, admin.ts, session.ts).
 */
import { z } from "zod";
import { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";
import { KEY_ROLES, ROLES, Timestamp } from "./common.ts";

const Role = z.enum(ROLES);
const KeyRole = z.enum(KEY_ROLES);

/** The workspace policy as stored and answered (its request schema, PolicySettings, checks more). */
export const PolicySchema = z.object({
  workspaceTimezone: z.string(),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  quietHoursFor: z.array(z.enum(CATEGORIES)),
  caps: z.array(
    z.object({
      channel: z.enum(CHANNELS),
      category: z.enum(CATEGORIES),
      max: z.number(),
      /** A rolling ISO 8601 duration ("P30D"), or the contact's local calendar day. */
      window: z.string(),
      onExceed: z.enum(["defer", "suppress"]),
    }),
  ),
  unopenedStreak: z.object({ count: z.number(), cooldown: z.string() }).nullable(),
  consentRequired: z.partialRecord(z.enum(CATEGORIES), z.boolean()),
  optOutLines: z.record(z.string(), z.string()),
});

export const SettingsSchema = z.object({
  policy: PolicySchema,
  provider: z.object({
    sms: z.enum(["console", "webhook", "twilio", "aliyun"]),
    publicUrl: z.string().nullable(),
  }),
  /** The tracked links this server mints: `${base}/l/<tokenLength characters>`. */
  links: z.object({ base: z.string(), tokenLength: z.number() }),
});
export const SavedPolicy = z.object({ policy: PolicySchema });

export const ApiKeySchema = z.object({
  id: z.number(),
  kind: z.enum(["write", "secret"]),
  name: z.string().nullable(),
  /** What a secret key may do (never more than its creator); null for write keys. */
  role: KeyRole.nullable(),
  /** The first characters of the key, to tell keys apart (the key itself is stored hashed). */
  prefix: z.string().nullable(),
  /** The creator's email; null for keys made with the CLI. */
  createdBy: z.string().nullable(),
  /** Set when the creator was disabled: the key no longer works. */
  creatorDisabledAt: Timestamp.nullable(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export const KeyList = z.object({ keys: z.array(ApiKeySchema) });
/** The key is in this answer only: it is stored hashed. */
export const CreatedKey = z.object({ id: z.number(), key: z.string(), role: KeyRole.nullable() });
export const Revoked = z.object({ revoked: z.literal(true) });

export const OperatorSchema = z.object({
  id: z.number(),
  email: z.string(),
  name: z.string().nullable(),
  role: Role,
  createdAt: Timestamp,
  lastLoginAt: Timestamp.nullable(),
  disabledAt: Timestamp.nullable(),
});
export const OperatorList = z.object({ operators: z.array(OperatorSchema) });
/** The one-time password is in this answer only. */
export const CreatedOperator = z.object({ id: z.number(), password: z.string() });
export const DisabledOperator = z.object({
  disabled: z.literal(true),
  keysStopped: z.number(),
  writeKeysActive: z.number(),
});
export const RoleChanged = z.object({
  changed: z.boolean(),
  role: Role,
  /** The role before, when it changed. */
  from: Role.optional(),
  keysStopped: z.number(),
});
export const PasswordChanged = z.object({
  changed: z.literal(true),
  sessionsEnded: z.number(),
});

export const LookupList = z.object({
  lookups: z.array(
    z.object({
      id: z.number(),
      at: Timestamp,
      /** The operator's email, or null when a key searched. */
      operator: z.string().nullable(),
      key: z.string().nullable(),
      kind: z.enum(["phone", "email"]),
      /** A blind index (phones) or the masked email. */
      lookup: z.string(),
      shown: z.string(),
      matched: z.number().nullable(),
      refused: z.boolean(),
    }),
  ),
});

export const LoggedIn = z.object({ ok: z.literal(true) });

/** The languages the console has catalogs for (client/src/i18n/catalogs/*.json). */
export const CONSOLE_LOCALES = ["en", "zh-CN"] as const;
export type ConsoleLocale = (typeof CONSOLE_LOCALES)[number];
/** An operator's chosen console language; null: follow the browser. */
export const ConsoleLocaleSchema = z.enum(CONSOLE_LOCALES).nullable();

/** PATCH /api/me: the signed-in operator's own preferences; only what is sent changes. */
export const MePreferences = z.strictObject({ locale: ConsoleLocaleSchema.optional() });
export const MePreferencesSaved = z.object({ locale: ConsoleLocaleSchema });

export const Me = z.object({
  operator: z.object({
    /** The account behind the call; null for a secret key made with the CLI. */
    id: z.number().nullable(),
    email: z.string(),
    name: z.string(),
    /** The session's role, or a secret key's own (`metrics` included). */
    role: KeyRole,
    mustChangePassword: z.boolean(),
    /** How the caller signed in: a session cookie or a secret key. */
    via: z.enum(["session", "key"]),
    /** What this role may do in the console (server/auth/permissions.ts). */
    permissions: z.record(z.string(), z.boolean()),
    /** The console language the operator chose; null (and always for a key): the browser's. */
    locale: ConsoleLocaleSchema,
  }),
});

export const Health = z.object({
  status: z.enum(["ok", "unavailable"]),
  database: z.enum(["postgres", "pglite"]),
  migration: z.string().nullable(),
});
