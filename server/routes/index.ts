import type { Knex } from "knex";
import { auditRoutes } from "../audit/routes.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { buildOpenApi } from "../http/openapi.ts";
import type { RouteSpec } from "../http/routes.ts";
import type { Metrics } from "../metrics.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import type { policyCache } from "../runtime/policy.ts";
import { adminRoutes } from "./admin.ts";
import { audienceRoutes } from "./audiences.ts";
import { contactSupportRoutes } from "./contact-support.ts";
import { contactRoutes } from "./contacts.ts";
import { journeyToolRoutes } from "./journey-tools.ts";
import { journeyRoutes } from "./journeys.ts";
import { messageRoutes } from "./messages.ts";
import { resultRoutes } from "./results.ts";
import { settingsRoutes } from "./settings.ts";
import { simulateRoutes } from "./simulate.ts";
import { versionRoutes } from "./versions.ts";

export interface ApiDeps {
  knex: Knex;
  crypto: FieldCrypto;
  live: ReturnType<typeof liveJourneyCache>;
  policy: ReturnType<typeof policyCache>;
  delivery: DeliveryConfig;
  now: () => Date;
  metrics?: Metrics | undefined;
}

/**
 * Every authenticated API route, as data: the router, the OpenAPI document and the auth tests
 * (tests/server/auth-table.test.ts) all read this one list.
 */
export function apiRoutes(deps: ApiDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...journeyRoutes(deps.knex, deps.live, deps.now, deps.delivery),
    ...contactRoutes(deps.knex, deps.crypto, deps.policy),
    ...contactSupportRoutes(deps.knex, deps.now),
    ...messageRoutes(deps.knex),
    ...simulateRoutes(deps.knex, deps.crypto, deps.policy, deps.now, deps.delivery.publicUrl),
    ...settingsRoutes(deps.knex, deps.policy, deps.delivery),
    ...adminRoutes(deps.knex),
    ...journeyToolRoutes(deps.knex, deps.policy, deps.now, deps.delivery),
    ...audienceRoutes(deps.knex, deps.now),
    ...resultRoutes(deps.knex, deps.policy),
    ...versionRoutes(deps.knex, deps.now),
    ...auditRoutes(deps.knex),
  ];
  routes.push({
    method: "get",
    path: "/api/openapi.json",
    access: "any",
    summary: "This document",
    handler(_req, res) {
      res.json(buildOpenApi(routes));
    },
  });
  const metrics = deps.metrics;
  if (metrics) {
    routes.push({
      method: "get",
      path: "/metrics",
      // A `metrics` key scrapes this and nothing else.
      access: ["engineer", "metrics"],
      summary: "Prometheus metrics: ticks, batch sizes, users moved, messages by status, queue lag",
      async handler(_req, res) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    });
  }
  return routes;
}
