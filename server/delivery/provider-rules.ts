import type { ProviderRules } from "../../engine/rules/provider.ts";
import type { DeliveryConfig } from "./config.ts";

/**
 * The configured SMS provider's own limits as engine policy (engine/rules/provider.ts). Aliyun
 * sends promotional SMS 08:00–22:00 China time only (its rule for marketing templates; its
 * documentation says 21:59) and caps the SMS one phone gets per day (ALIYUN_SMS_DAILY_LIMIT,
 * default 10, as its console's default frequency control). Other providers add nothing.
 */
export function providerRulesFor(config: DeliveryConfig): ProviderRules | null {
  if (config.smsProvider !== "aliyun" || !config.aliyun) return null;
  return {
    channel: "sms",
    provider: "aliyun",
    zone: "Asia/Shanghai",
    window: { start: "08:00", end: "22:00" },
    windowFor: ["promotional"],
    dailyLimit: config.aliyun.dailyLimit,
  };
}
