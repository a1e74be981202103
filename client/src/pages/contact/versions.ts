import type { Journey } from "../../../../engine/index.ts";
import { api } from "../../api.ts";

/**
 * Published versions never change, so their documents are fetched once per page load and
 * shared by every enrollment on the same version (and by each live refresh).
 */
const cache = new Map<string, Promise<Journey>>();

export function versionDoc(journeyId: string, version: number): Promise<Journey> {
  const key = `${journeyId}@${version}`;
  let doc = cache.get(key);
  if (!doc) {
    doc = api.versionDefinition(journeyId, version).then((r) => r.definition);
    // A failed fetch should be retried next time, not remembered.
    doc.catch(() => cache.delete(key));
    cache.set(key, doc);
  }
  return doc;
}
