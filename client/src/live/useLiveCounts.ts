import { useCallback, useEffect, useState } from "react";
import { api } from "../api.ts";
import { applyCounts, type Counts, countsFromStats, sameCounts } from "./counts.ts";
import type { CountsPayload, LiveMode } from "./protocol.ts";
import { useLive } from "./useLive.ts";

/**
 * Users on each node of a journey right now: absolute counts then deltas over socket.io, or
 * `GET /api/journeys/:id/stats` every 5 s while the socket is unavailable. Null until the first
 * answer, so the canvas draws no counts rather than invented zeros.
 */
export function useLiveCounts(journeyId: string): Counts | null {
  return useLiveCountsWithMode(journeyId).counts;
}

export function useLiveCountsWithMode(journeyId: string): {
  counts: Counts | null;
  mode: LiveMode;
} {
  const [counts, setCounts] = useState<Counts | null>(null);

  const refetch = useCallback(() => {
    api
      .stats(journeyId)
      .then((stats) => {
        const next = countsFromStats(stats);
        setCounts((prev) => (sameCounts(prev, next) ? prev : next));
      })
      // A journey not saved yet has no stats: keep drawing no counts.
      .catch(() => {});
  }, [journeyId]);

  useEffect(() => {
    setCounts(null);
    refetch();
  }, [refetch]);

  const onPush = useCallback(
    (msg: CountsPayload) => {
      if (msg.journeyId !== journeyId) return;
      setCounts((prev) => applyCounts(prev, msg));
    },
    [journeyId],
  );

  const mode = useLive({ journey: journeyId }, "counts", onPush, refetch);
  return { counts, mode };
}
