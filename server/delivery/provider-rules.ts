import type { Knex } from "knex";
import type { ProviderRules } from "../../engine/rules/provider.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { DeliveryConfig } from "./config.ts";
import { effectiveChoices, readStoredProviders } from "./provider-store.ts";

/**
 * The configured SMS provider's own limits as engine policy (engine/rules/provider.ts). Aliyun
 * sends promotional SMS 08:00–22:00 China time only (its rule for marketing templates; its
 * documentation says 21:59) and caps the SMS one phone gets per day (ALIYUN_SMS_DAILY_LIMIT,
 * default 10, as its console's default frequency control). Other providers add nothing.
 */
export function providerRulesFor(config: DeliveryConfig): ProviderRules | null {
  if (config.smsProvider !== "aliyun" || !config.aliyun) return null;
  return aliyunRules(config.aliyun.dailyLimit);
}

/**
 * The same for the SMS provider in effect: Settings' choice over the environment's. Read with
 * each policy load (runtime/policy.ts), so a switch to or from Aliyun in Settings moves the
 * window and the limit within the policy cache's second.
 */
export async function providerRulesInEffect(
  knex: Knex,
  crypto: FieldCrypto,
  env: DeliveryConfig,
): Promise<ProviderRules | null> {
  const { choice } = effectiveChoices(env, await readStoredProviders(knex, crypto)).sms;
  return choice.kind === "aliyun" ? aliyunRules(choice.config.dailyLimit) : null;
}

function aliyunRules(dailyLimit: number): ProviderRules {
  return {
    channel: "sms",
    provider: "aliyun",
    zone: "Asia/Shanghai",
    window: { start: "08:00", end: "22:00" },
    windowFor: ["promotional"],
    dailyLimit,
  };
}
