/** A zone where it is mid-day right now, so tests on the real clock never land in quiet hours. */
export function middayZone(now = new Date()): string {
  const offset = (((13 - now.getUTCHours()) % 24) + 24) % 24;
  const hours = offset > 12 ? offset - 24 : offset;
  // Etc/GMT signs are inverted: Etc/GMT-8 is UTC+8.
  return hours === 0 ? "Etc/GMT" : `Etc/GMT${hours > 0 ? "-" : "+"}${Math.abs(hours)}`;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Reads until the value is `want` or `ms` have passed, and returns the last value read: for
 * assertions either way ("moved within 3 s", "still not moved after 1.5 s").
 */
export async function readUntil<T>(read: () => Promise<T>, want: T, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await read();
    if (got === want || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 25));
  }
}
