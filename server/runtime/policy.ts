import type { Knex } from "knex";
import type { AdvancePolicy } from "../../engine/ports.ts";
import { defaultPolicy } from "../../engine/rules/policy.ts";
import type { ProviderRules } from "../../engine/rules/provider.ts";
import { type Listening, listenForever } from "../db/listen.ts";

/**
 * The workspace's sending policy: the engine's defaults (DOMAIN.md) overlaid with the
 * `policy` row of `settings`, which the Settings page edits.
 *
 * Cached for `ttlMs` per reader, and dropped at once when it changes: the settings PUT drops
 * every cache on the same database in this process (the API's and the ticker's are separate
 * readers) and, in the same transaction as the change, NOTIFYs `waymark_policy` so that every
 * other process on the same PostgreSQL drops its caches when it commits
 * (`listenForPolicyChanges`). While a process's listener is not connected it cannot hear a
 * change, so its caches read the row every time until the listener is back.
 */
export const POLICY_CHANNEL = "waymark_policy";

interface Readers {
  invalidators: Set<() => void>;
  /** Set while a policy listener exists for this database: whether it is connected. */
  listening: boolean | null;
}

// Per database handle, so that two test databases in one process never share a cache.
const readers = new WeakMap<Knex, Readers>();

function readersOf(knex: Knex): Readers {
  let r = readers.get(knex);
  if (!r) {
    r = { invalidators: new Set(), listening: null };
    readers.set(knex, r);
  }
  return r;
}

/**
 * `providerRules`: what the SMS provider in effect allows (server/delivery/provider-rules.ts),
 * laid over the saved policy on every read: fixed, or read with each load (the provider chosen
 * in Settings), never from the policy row.
 */
export function policyCache(
  knex: Knex,
  workspaceTimezone: string,
  ttlMs = 1000,
  providerRules: ProviderRules | null | (() => Promise<ProviderRules | null>) = null,
) {
  const shared = readersOf(knex);
  let loadedAt = -Infinity;
  let current: AdvancePolicy | null = null;
  // A read that started before an invalidation must not store what it read.
  let generation = 0;
  shared.invalidators.add(() => {
    generation++;
    current = null;
  });
  const read = async (now = Date.now()): Promise<AdvancePolicy> => {
    const trusted = shared.listening !== false;
    if (current && trusted && now - loadedAt <= ttlMs) return current;
    const started = generation;
    const row = (await knex("settings").where({ key: "policy" }).first("value")) as
      | { value: Partial<AdvancePolicy> }
      | undefined;
    const value = {
      ...defaultPolicy({ workspaceTimezone }),
      ...(row?.value ?? {}),
      providerRules: typeof providerRules === "function" ? await providerRules() : providerRules,
    };
    if (started === generation) {
      current = value;
      loadedAt = now;
    }
    return value;
  };
  return Object.assign(read, { invalidate: () => invalidatePolicies(knex) });
}

/** Drops every policy cache on this database handle in this process. */
export function invalidatePolicies(knex: Knex): void {
  for (const drop of readersOf(knex).invalidators) drop();
}

/**
 * Writes the policy and tells every process: the NOTIFY is delivered at commit, so a listener
 * never re-reads before the new row is visible; this process's caches are dropped before the
 * function returns. (On PGlite there is no other process, and the NOTIFY goes nowhere.)
 */
export async function savePolicy(
  knex: Knex,
  value: unknown,
  now: Date,
  /** Runs in the write's transaction with the stored value it replaces (the audit entry). */
  alongside?: (trx: Knex.Transaction, previous: unknown) => Promise<void>,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = (await trx("settings").where({ key: "policy" }).forUpdate().first("value")) as
      | { value: unknown }
      | undefined;
    await trx("settings")
      .insert({ key: "policy", value: JSON.stringify(value), updated_at: now })
      .onConflict("key")
      .merge(["value", "updated_at"]);
    await alongside?.(trx, row?.value ?? null);
    await trx.raw("select pg_notify(?, '')", [POLICY_CHANNEL]);
  });
  invalidatePolicies(knex);
}

/**
 * Drops this process's policy caches (on `knex`) whenever another process changes the policy.
 * A long-lived connection that reconnects by itself (db/listen.ts); after each (re)connect the
 * caches are dropped too, for a change made while it was away.
 */
export function listenForPolicyChanges(
  url: string,
  knex: Knex,
  options: { onError?: (err: unknown) => void } = {},
): Listening {
  const shared = readersOf(knex);
  shared.listening = false;
  const listener = listenForever(url, [POLICY_CHANNEL], {
    applicationName: "waymark-policy",
    onNotify: () => invalidatePolicies(knex),
    onConnect: () => {
      shared.listening = true;
      invalidatePolicies(knex);
    },
    onDisconnect: () => {
      shared.listening = false;
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    get connected() {
      return listener.connected;
    },
    async close() {
      await listener.close();
      shared.listening = null;
    },
  };
}
