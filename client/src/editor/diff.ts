/**
 * The editor's diff is the engine's (engine/diff/diff.ts): the publish dialog, the header's
 * draft-vs-live state, the Versions panel and `GET /api/journeys/:id/diff` share one module,
 * so the console and the API never count changes differently.
 */
export {
  changesLabel,
  diffJourneys,
  edgeId,
  type FieldChange,
  isEmptyDiff,
  type JourneyDiff,
  type NodeDiff,
  type WordPart,
} from "../../../engine/diff/diff.ts";
