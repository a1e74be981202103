import type { z } from "zod";
import { ConfigError } from "../config.ts";
import { allowHostsFrom, fromEnv, numeric } from "./env-values.ts";
import { WebPushKind } from "./provider-kinds.ts";

/**
 * Web-push settings from the environment (read with the rest in config.ts):
 *
 * | variable                   | default | meaning                                                  |
 * |----------------------------|---------|----------------------------------------------------------|
 * | WAYMARK_VAPID_PUBLIC_KEY   | —       | VAPID public key (base64url, 65 bytes); `waymark vapid-keys` |
 * | WAYMARK_VAPID_PRIVATE_KEY  | —       | VAPID private key (base64url, 32 bytes)                  |
 * | WAYMARK_VAPID_SUBJECT      | —       | `mailto:` or `https:` contact the push services may use  |
 * | WAYMARK_PUSH_TTL_SECONDS   | 86400   | how long a push service keeps an undelivered message     |
 * | WAYMARK_PUSH_ALLOW_HOSTS   | —       | push endpoints that may be private or loopback hosts     |
 * | WAYMARK_PUSH_RATE_LIMIT    | 0       | pushes/s per process (0 = none)                          |
 *
 * The three VAPID settings go together: none of them keeps push on the console provider.
 */
export interface PushConfig {
  vapid: { publicKey: string; privateKey: string; subject: string };
  ttlSeconds: number;
  /** Lower-case hosts a subscription's endpoint may reach on private or loopback addresses. */
  allowHosts: string[];
  ratePerSecond: number | null;
}

export function pushFrom(env: NodeJS.ProcessEnv): PushConfig | null {
  const publicKey = env.WAYMARK_VAPID_PUBLIC_KEY?.trim() ?? "";
  const privateKey = env.WAYMARK_VAPID_PRIVATE_KEY?.trim() ?? "";
  const subject = env.WAYMARK_VAPID_SUBJECT?.trim() ?? "";
  if (!publicKey && !privateKey && !subject) return null;
  if (!publicKey || !privateKey || !subject) {
    throw new ConfigError(
      "web push needs WAYMARK_VAPID_PUBLIC_KEY, WAYMARK_VAPID_PRIVATE_KEY and WAYMARK_VAPID_SUBJECT together (`waymark vapid-keys` makes a key pair)",
    );
  }
  const push = fromEnv(
    WebPushKind,
    {
      publicKey,
      privateKey,
      subject,
      ttlSeconds: numeric(env.WAYMARK_PUSH_TTL_SECONDS),
      allowHosts: allowHostsFrom(env.WAYMARK_PUSH_ALLOW_HOSTS),
      ratePerSecond: numeric(env.WAYMARK_PUSH_RATE_LIMIT),
    },
    {
      publicKey: "WAYMARK_VAPID_PUBLIC_KEY",
      privateKey: "WAYMARK_VAPID_PRIVATE_KEY",
      subject: "WAYMARK_VAPID_SUBJECT",
      ttlSeconds: "WAYMARK_PUSH_TTL_SECONDS",
      allowHosts: "WAYMARK_PUSH_ALLOW_HOSTS",
      ratePerSecond: "WAYMARK_PUSH_RATE_LIMIT",
    },
  );
  return pushConfig(push);
}

/** A checked web-push kind as the provider takes it (a rate of 0 means none). */
export function pushConfig(push: z.output<typeof WebPushKind>): PushConfig {
  return {
    vapid: { publicKey: push.publicKey, privateKey: push.privateKey, subject: push.subject },
    ttlSeconds: push.ttlSeconds,
    allowHosts: push.allowHosts,
    ratePerSecond: push.ratePerSecond === 0 ? null : push.ratePerSecond,
  };
}
