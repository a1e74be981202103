import type { z } from "zod";
import {
  AliasItem,
  BatchBody,
  GroupItem,
  IdentifyItem,
  IngestResponse,
  PageItem,
  ScreenItem,
  singleBody,
  TrackItem,
} from "./schemas.ts";

/**
 * The ingest endpoints for the OpenAPI document (server/http/openapi.ts). They authenticate with
 * write keys rather than the route table's sessions, so they are described here, from the same
 * zod schemas the routes validate with.
 */
export interface IngestOperation {
  path: string;
  summary: string;
  body: z.ZodType;
}

export const INGEST_OPERATIONS: readonly IngestOperation[] = [
  {
    path: "/v1/batch",
    summary:
      "Segment batch: identify, track, page, screen, group and alias calls. Each item is checked on its own: valid items are stored, invalid ones are listed in `rejected` (index, field, message) in a 200. Only a body that is not JSON, has no `batch` array or is over 512 KB uncompressed is a 4xx. gzip/deflate accepted, any Content-Type.",
    body: BatchBody,
  },
  { path: "/v1/import", summary: "Same as /v1/batch (Segment's import endpoint)", body: BatchBody },
  {
    path: "/v1/identify",
    summary:
      "Create or update a contact (userId), or an anonymous profile (anonymousId only); both ids merge the anonymous profile into the user. A rejected call is a 400 naming the field.",
    body: singleBody(IdentifyItem),
  },
  {
    path: "/v1/track",
    summary: "Record an event; idempotent by messageId; enrolls and wakes journeys",
    body: singleBody(TrackItem),
  },
  {
    path: "/v1/page",
    summary: "A page view, stored as the event `page`",
    body: singleBody(PageItem),
  },
  {
    path: "/v1/screen",
    summary: "A screen view, stored as the event `screen`",
    body: singleBody(ScreenItem),
  },
  {
    path: "/v1/group",
    summary: "Attach a group (attributes groupId, group, groupIds) to the contact",
    body: singleBody(GroupItem),
  },
  {
    path: "/v1/alias",
    summary: "Merge the anonymous profile previousId into userId's contact",
    body: singleBody(AliasItem),
  },
];

export { IngestResponse };
