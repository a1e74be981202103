import { useEffect, useRef, useState } from "react";
import { api } from "../../api.ts";
import { type Counts, sameCounts } from "../../live/counts.ts";

/** At most one fetch per this many ms while counts keep changing. */
const THROTTLE_MS = 1000;

/**
 * Users on each node of one version: what the canvas paints, so counts are shown on the
 * version users are in and never on a draft node that does not exist there. The journey's
 * live counts (socket.io, all versions together) are the pulse: whenever they change, this
 * version's counts are fetched again, at most once a second. Null while there is no version
 * or no answer yet, so the canvas draws no counts rather than invented zeros.
 */
export function useVersionCounts(
  journeyId: string,
  version: number | null,
  pulse: unknown,
): Counts | null {
  const key = `${journeyId}@${version ?? "none"}`;
  const [held, setHeld] = useState<{ key: string; counts: Counts } | null>(null);
  const last = useRef(0);

  useEffect(() => {
    // Each change of the journey's counts asks again (the pulse is the trigger, not an input).
    void pulse;
    if (version === null) return;
    let current = true;
    const wait = Math.max(0, last.current + THROTTLE_MS - Date.now());
    const timer = setTimeout(() => {
      last.current = Date.now();
      api
        .versionCounts(journeyId, version)
        .then((r) => {
          if (!current) return;
          const next = new Map(Object.entries(r.counts).filter(([, n]) => n > 0));
          setHeld((prev) =>
            prev?.key === key && sameCounts(prev.counts, next) ? prev : { key, counts: next },
          );
        })
        // Keep what is drawn; the next pulse tries again.
        .catch(() => {});
    }, wait);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [journeyId, version, key, pulse]);

  return held?.key === key ? held.counts : null;
}
