/**
 * Password-guessing limits for POST /api/session, in memory per process (like every limiter
 * here: they protect this process, they are not a quota).
 *
 * The old limiter kept one bucket per email: eleven wrong passwords from anywhere locked the
 * owner out from everywhere. Now:
 * - per address + email: 10 at once, then one every 6 s — one address guessing one account;
 * - per address: 30 at once, then one every 3 s — one address spraying many accounts;
 * - per email: 300 at once, then one every 3 s — a ceiling on guesses at one account from
 *   everywhere. One address alone cannot drain it (its own bucket refills at half that rate),
 *   so tripping it takes several addresses guessing flat out for minutes; the owner, on an
 *   address of their own, is never limited by what an attacker did elsewhere before that.
 * A successful login gives its tokens back, so only failures count. IPv6 addresses count per
 * /64, the block one subscriber usually gets.
 */
const LIMITS = {
  pair: { burst: 10, perSecond: 1 / 6 },
  address: { burst: 30, perSecond: 1 / 3 },
  email: { burst: 300, perSecond: 1 / 3 },
} as const;

/** Buckets per map; past it the least recently touched go (an attacker flooding new emails
 * evicts mostly its own buckets, and the per-address bucket still holds it). */
const MAX_BUCKETS = 50_000;

class Buckets {
  private readonly map = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
  ) {}

  /** Tokens now (full for a key never seen). */
  level(key: string, t: number): number {
    const b = this.map.get(key);
    if (!b) return this.burst;
    return Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
  }

  /** Seconds until one token is back. */
  wait(key: string, t: number): number {
    return Math.max(1, Math.ceil((1 - this.level(key, t)) / this.perSecond));
  }

  add(key: string, t: number, delta: number): void {
    const tokens = Math.min(this.burst, this.level(key, t) + delta);
    this.map.delete(key); // re-inserted last: the map's order is least recently touched first
    if (tokens >= this.burst) return; // a full bucket is the same as none
    this.map.set(key, { tokens, at: t });
    if (this.map.size > MAX_BUCKETS) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }
}

export type Attempt =
  | { ok: true; done(succeeded: boolean): void }
  | { ok: false; retryAfter: number };

export interface LoginThrottle {
  /** Reserves one try for this address and email, or says how many seconds to wait. */
  attempt(address: string, email: string): Attempt;
  /** Buckets held, for tests of the bound. */
  size(): number;
}

export function loginThrottle(now: () => number = () => Date.now()): LoginThrottle {
  const pair = new Buckets(LIMITS.pair.burst, LIMITS.pair.perSecond);
  const address = new Buckets(LIMITS.address.burst, LIMITS.address.perSecond);
  const email = new Buckets(LIMITS.email.burst, LIMITS.email.perSecond);
  return {
    attempt(ip, rawEmail) {
      const t = now();
      const who = addressKey(ip);
      const mail = rawEmail.trim().toLowerCase();
      const keys: [Buckets, string][] = [
        [pair, `${who} ${mail}`],
        [address, who],
        [email, mail],
      ];
      const empty = keys.filter(([b, k]) => b.level(k, t) < 1);
      if (empty.length > 0) {
        return { ok: false, retryAfter: Math.max(...empty.map(([b, k]) => b.wait(k, t))) };
      }
      for (const [b, k] of keys) b.add(k, t, -1);
      return {
        ok: true,
        done(succeeded) {
          if (succeeded) for (const [b, k] of keys) b.add(k, now(), 1);
        },
      };
    },
    size: () => pair.size + address.size + email.size,
  };
}

/** An IPv4 address as is; an IPv6 one as its /64 (IPv4-mapped IPv6 as the IPv4). */
export function addressKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [head = "", tail] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups.slice(0, 4).join(":")}::/64`;
}
