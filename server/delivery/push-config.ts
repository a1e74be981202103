import { ConfigError } from "../config.ts";

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
  keyOfLength("WAYMARK_VAPID_PUBLIC_KEY", publicKey, 65);
  keyOfLength("WAYMARK_VAPID_PRIVATE_KEY", privateKey, 32);
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(subject)) {
    throw new ConfigError(
      `WAYMARK_VAPID_SUBJECT must be a mailto: address or an https: URL, got "${subject}"`,
    );
  }
  const ttl = env.WAYMARK_PUSH_TTL_SECONDS?.trim() || "86400";
  const ttlSeconds = Number(ttl);
  // Four weeks is what web-push defaults to and about what push services keep at most.
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > 2_419_200) {
    throw new ConfigError(`WAYMARK_PUSH_TTL_SECONDS must be an integer 0 – 2419200, got "${ttl}"`);
  }
  const rateRaw = env.WAYMARK_PUSH_RATE_LIMIT?.trim() || "0";
  const rate = Number(rateRaw);
  if (!Number.isFinite(rate) || rate < 0) {
    throw new ConfigError(`WAYMARK_PUSH_RATE_LIMIT must be a number ≥ 0, got "${rateRaw}"`);
  }
  const allowHosts = (env.WAYMARK_PUSH_ALLOW_HOSTS ?? "")
    .split(",")
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ""),
    )
    .filter((h) => h !== "");
  return {
    vapid: { publicKey, privateKey, subject },
    ttlSeconds,
    allowHosts,
    ratePerSecond: rate === 0 ? null : rate,
  };
}

function keyOfLength(name: string, value: string, bytes: number): void {
  const ok = /^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, "base64url").length === bytes;
  if (!ok) {
    throw new ConfigError(`${name} must be ${bytes} bytes in base64url (\`waymark vapid-keys\`)`);
  }
}
