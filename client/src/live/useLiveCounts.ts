/**
 * Users on each node of a journey right now, pushed over socket.io. The stats/socket API does
 * not exist yet (its own issue): this seam returns null, and the canvas draws no counts rather
 * than invented ones. When the API lands, subscribe here and return a Map(nodeId → count).
 */
export function useLiveCounts(_journeyId: string): ReadonlyMap<string, number> | null {
  return null;
}
