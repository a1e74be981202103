import type { Policy } from "./types.ts";

/**
 * Defaults from DOMAIN.md: sending allowed 08:00–21:00 local (the articles; US law is the
 * same), quiet hours for promotional only, at most 4 promotional SMS per rolling 30 days
 * (fast-moving-goods benchmark) deferred rather than dropped, a 30-day cooldown after 3
 * consecutive unopened promotional sends, explicit consent for promotional only.
 * Transactional/service are uncapped by default; a workspace may still add a cap for them
 * on purpose (e.g. a guard against a runaway journey), and `decide` will honour it.
 * Deep-frozen: use `defaultPolicy()` for a mutable copy.
 */
export function defaultPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    workspaceTimezone: "UTC",
    quietHours: { start: "08:00", end: "21:00" },
    quietHoursFor: ["promotional"],
    caps: [{ channel: "sms", category: "promotional", max: 4, window: "P30D", onExceed: "defer" }],
    unopenedStreak: { count: 3, cooldown: "P30D" },
    consentRequired: { promotional: true, transactional: false, service: false },
    ...overrides,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export const DEFAULT_POLICY: Policy = deepFreeze(defaultPolicy());
