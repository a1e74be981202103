import type { Knex } from "knex";
import { assertNever } from "../../engine/shared/assert-never.ts";
import { CHANNELS, type Channel } from "../../engine/shared/channels.ts";
import { type Listening, listenForever } from "../db/listen.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import { DEFAULT_RATE, type DeliveryConfig, type SmsProviderKind, smtpConfig } from "./config.ts";
import { checkKind, type ProviderSettings } from "./provider-kinds.ts";
import { envChoice, type ProviderChoice } from "./providers/index.ts";
import { pushConfig } from "./push-config.ts";
import { listProviderRows, type ProviderRow } from "./sql/providers.ts";

/**
 * Providers chosen in Settings, over the environment's: a channel with a `delivery_providers`
 * row uses it, one without uses what config.ts read from the environment. Secrets are opened
 * here and nowhere else; what leaves this module towards the API is `set`/`not set`.
 *
 * A change reaches running workers the way a policy change does (runtime/policy.ts): the
 * write NOTIFYs `waymark_providers` in its transaction (delivered at commit) and calls the
 * listeners in this process; each worker re-reads the rows and rebuilds the channels whose
 * choice changed.
 */
export const PROVIDERS_CHANNEL = "waymark_providers";

export interface StoredProvider {
  channel: Channel;
  kind: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
  updatedBy: string;
  updatedAt: Date;
}

/**
 * A row with its secrets opened. Secrets sealed under another WAYMARK_SECRET cannot be opened:
 * they read as not set, so the kind fails its rules and the channel falls back to the
 * environment (effectiveChoices) instead of stopping the server at start.
 */
function openRow(row: ProviderRow, crypto: FieldCrypto): StoredProvider {
  const { secretsEncrypted, ...rest } = row;
  let secrets: Record<string, string> = {};
  try {
    if (secretsEncrypted) secrets = JSON.parse(crypto.openSecret(secretsEncrypted));
  } catch {
    secrets = {};
  }
  return { ...rest, secrets };
}

export async function readStoredProviders(
  db: Knex | Knex.Transaction,
  crypto: FieldCrypto,
): Promise<StoredProvider[]> {
  return (await listProviderRows(db)).map((row) => openRow(row, crypto));
}

/**
 * What a checked kind runs as: at the rate its settings name, else SMS kinds at their default
 * rate (config.ts DEFAULT_RATE) — a Twilio long code takes about 1 message/s, a short code 100,
 * so the default is a starting point the admin can change on the page.
 */
export function choiceFrom(settings: ProviderSettings): ProviderChoice {
  const rate = (n: number) => (n === 0 ? null : n);
  switch (settings.kind) {
    case "console":
      return {
        kind: "console",
        ratePerSecond: settings.channel === "sms" ? rate(DEFAULT_RATE.console) : null,
      };
    case "twilio": {
      const { ratePerSecond, ...config } = settings.fields;
      return { kind: "twilio", config, ratePerSecond: rate(ratePerSecond ?? DEFAULT_RATE.twilio) };
    }
    case "aliyun": {
      const { callbackToken, ratePerSecond, ...fields } = settings.fields;
      return {
        kind: "aliyun",
        config: { ...fields, callbackToken },
        ratePerSecond: rate(ratePerSecond ?? DEFAULT_RATE.aliyun),
      };
    }
    case "webhook": {
      const { lookupUrl, ratePerSecond, ...fields } = settings.fields;
      const fallback = settings.channel === "sms" ? DEFAULT_RATE.webhook : 0;
      return {
        kind: "webhook",
        config: lookupUrl ? { ...fields, lookupUrl } : fields,
        ratePerSecond: rate(ratePerSecond ?? fallback),
      };
    }
    case "smtp":
      return { kind: "smtp", config: smtpConfig(settings.fields) };
    case "webpush":
      return { kind: "webpush", config: pushConfig(settings.fields) };
    default:
      return assertNever(settings);
  }
}

export type ChoiceSource = "settings" | "environment";

export interface EffectiveChoice {
  choice: ProviderChoice;
  source: ChoiceSource;
}

/**
 * The provider in effect per channel. A stored row that no longer passes its kind's rules (a
 * rule tightened by an upgrade) is skipped for the environment's, and reported by `onInvalid`.
 */
export function effectiveChoices(
  env: DeliveryConfig,
  stored: readonly StoredProvider[],
  onInvalid: (channel: Channel, problem: string) => void = () => {},
): Record<Channel, EffectiveChoice> {
  const byChannel = new Map(stored.map((s) => [s.channel, s]));
  const out = {} as Record<Channel, EffectiveChoice>;
  for (const channel of CHANNELS) {
    const row = byChannel.get(channel);
    const checked = row ? checkKind(channel, row.kind, { ...row.settings, ...row.secrets }) : null;
    if (checked?.ok) out[channel] = { choice: choiceFrom(checked.settings), source: "settings" };
    else {
      if (checked) onInvalid(channel, `${checked.field} ${checked.message}`);
      out[channel] = { choice: envChoice(env, channel), source: "environment" };
    }
  }
  return out;
}

/** The SMS provider kind in effect (the editor's counter and the publish-time warnings). */
export async function smsKindInEffect(
  db: Knex,
  crypto: FieldCrypto,
  env: DeliveryConfig,
): Promise<SmsProviderKind> {
  const { kind } = effectiveChoices(env, await readStoredProviders(db, crypto)).sms.choice;
  if (kind === "console" || kind === "twilio" || kind === "aliyun" || kind === "webhook")
    return kind;
  throw new Error(`the SMS channel cannot use a ${kind} provider`);
}

/**
 * The configurations the inbound callbacks authenticate against: Settings' Twilio or Aliyun for
 * SMS first (its auth token signs Twilio's callbacks, its token is Aliyun's callback path),
 * then the environment's — messages sent before a switch still get their receipts.
 */
export async function callbackConfigs(
  db: Knex,
  crypto: FieldCrypto,
  env: DeliveryConfig,
): Promise<DeliveryConfig[]> {
  const { choice, source } = effectiveChoices(env, await readStoredProviders(db, crypto)).sms;
  if (source === "environment") return [env];
  if (choice.kind === "twilio") return [{ ...env, twilio: choice.config }, env];
  if (choice.kind === "aliyun") return [{ ...env, aliyun: choice.config }, env];
  return [env];
}

// Per database handle, like the policy caches: two test databases never hear each other.
const listeners = new WeakMap<Knex, Set<() => void>>();

/** Calls `onChange` whenever a provider is saved or removed on this database; returns the unsubscribe. */
export function onProvidersChanged(knex: Knex, onChange: () => void): () => void {
  let set = listeners.get(knex);
  if (!set) {
    set = new Set();
    listeners.set(knex, set);
  }
  set.add(onChange);
  return () => set.delete(onChange);
}

/** Tells this process's listeners (after the change committed). */
export function providersChanged(knex: Knex): void {
  for (const listener of listeners.get(knex) ?? []) listener();
}

/** Inside the change's transaction: other processes hear it when it commits. */
export async function announceProvidersChange(trx: Knex.Transaction): Promise<void> {
  await trx.raw("select pg_notify(?, '')", [PROVIDERS_CHANNEL]);
}

/**
 * Tells this process's listeners about changes made by other processes on the same PostgreSQL,
 * and after every (re)connect, for a change made while the connection was away.
 */
export function listenForProviderChanges(
  url: string,
  knex: Knex,
  options: { onError?: (err: unknown) => void } = {},
): Listening {
  return listenForever(url, [PROVIDERS_CHANNEL], {
    applicationName: "waymark-providers",
    onNotify: () => providersChanged(knex),
    onConnect: () => providersChanged(knex),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
