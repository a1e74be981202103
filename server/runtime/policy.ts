import type { Knex } from "knex";
import type { AdvancePolicy } from "../../engine/ports.ts";
import { defaultPolicy } from "../../engine/rules/policy.ts";

/**
 * The workspace's sending policy: the engine's defaults (DOMAIN.md) overlaid with the
 * `policy` row of `settings`, which the Settings page edits. Re-read at most once a second so
 * an edit applies to the next ticks without a restart.
 */
export function policyCache(knex: Knex, workspaceTimezone: string, ttlMs = 1000) {
  let loadedAt = -Infinity;
  let current: AdvancePolicy | null = null;
  const read = async (now = Date.now()): Promise<AdvancePolicy> => {
    if (current && now - loadedAt <= ttlMs) return current;
    const row = (await knex("settings").where({ key: "policy" }).first("value")) as
      | { value: Partial<AdvancePolicy> }
      | undefined;
    current = { ...defaultPolicy({ workspaceTimezone }), ...(row?.value ?? {}) };
    loadedAt = now;
    return current;
  };
  // After a settings change in this process: the next read goes to the database.
  return Object.assign(read, {
    invalidate: () => {
      current = null;
    },
  });
}
