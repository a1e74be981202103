import type { Knex } from "knex";
import { OpenApiDocument, PROMETHEUS_TEXT } from "../api/common.ts";
import { auditRoutes } from "../audit/routes.ts";
import { permissionsFrom } from "../auth/permissions.ts";
import type { DatabaseKind } from "../db/connect.ts";
import type { DeliveryConfig } from "../delivery/config.ts";
import { deliveryRoutes } from "../delivery/routes.ts";
import type { DeliveryLog } from "../delivery/types.ts";
import { buildOpenApi } from "../http/openapi.ts";
import type { RouteSpec } from "../http/routes.ts";
import { pushSubscriptionRoutes } from "../ingest/push-routes.ts";
import { type IngestDeps, ingestRoutes } from "../ingest/routes.ts";
import type { Metrics } from "../metrics.ts";
import type { FieldCrypto } from "../privacy/keys.ts";
import type { liveJourneyCache } from "../runtime/live-journeys.ts";
import type { policyCache } from "../runtime/policy.ts";
import { adminRoutes } from "./admin.ts";
import { audienceRoutes } from "./audiences.ts";
import { contactSupportRoutes } from "./contact-support.ts";
import { contactRoutes } from "./contacts.ts";
import { healthRoutes } from "./health.ts";
import { journeyToolRoutes } from "./journey-tools.ts";
import { journeyRoutes } from "./journeys.ts";
import { messageRoutes } from "./messages.ts";
import { providerRoutes } from "./providers.ts";
import { resultRoutes } from "./results.ts";
import { sessionRoutes } from "./session.ts";
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
  /** Delivery's log: a provider test send through `console` writes there. */
  log: DeliveryLog;
}

/**
 * Every operator API route, as data: the router, the OpenAPI document and the auth tests
 * (tests/server/auth-table.test.ts) all read this one list.
 */
export function apiRoutes(deps: ApiDeps): RouteSpec[] {
  const routes: RouteSpec[] = [
    ...journeyRoutes(deps.knex, deps.live, deps.now, deps.delivery, deps.crypto),
    ...contactRoutes(deps.knex, deps.crypto, deps.policy),
    ...contactSupportRoutes(deps.knex, deps.now),
    ...messageRoutes(deps.knex, deps.crypto),
    ...simulateRoutes(deps.knex, deps.crypto, deps.policy, deps.now, deps.delivery),
    ...settingsRoutes(deps.knex, deps.crypto, deps.policy, deps.delivery),
    ...adminRoutes(deps.knex),
    ...journeyToolRoutes(deps.knex, deps.policy, deps.now, deps.delivery),
    ...audienceRoutes(deps.knex, deps.now),
    ...resultRoutes(deps.knex, deps.policy, deps.now),
    ...versionRoutes(deps.knex, deps.now),
    ...auditRoutes(deps.knex),
    ...providerRoutes(deps.knex, deps.crypto, deps.delivery, deps.log, deps.now),
  ];
  const metrics = deps.metrics;
  if (metrics) {
    routes.push({
      method: "get",
      path: "/metrics",
      // A `metrics` key scrapes this and nothing else.
      access: ["engineer", "metrics"],
      summary: "Prometheus metrics: ticks, batch sizes, users moved, messages by status, queue lag",
      responses: { 200: PROMETHEUS_TEXT },
      async handler(_req, res) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    });
  }
  return routes;
}

export interface TableDeps extends ApiDeps {
  databaseKind: DatabaseKind;
  secureCookies: boolean;
  /** Ingest's tuning and hooks (server/ingest/routes.ts). */
  ingest: Omit<IngestDeps, "knex" | "crypto" | "live" | "now">;
  /** Told when a webhook or click may have made enrollments due: the ticker's nudge. */
  onDue?: (() => void) | undefined;
}

/**
 * The whole HTTP table: health, sign-in, the API, Segment-style ingest, Twilio's webhooks,
 * tracked links and this API's own OpenAPI document. The app mounts it (server/app.ts),
 * `waymark openapi` and GET /api/openapi.json describe it.
 */
export function routeTable(deps: TableDeps): RouteSpec[] {
  const api = apiRoutes(deps);
  const table: RouteSpec[] = [
    ...healthRoutes(deps.knex, deps.databaseKind),
    // GET /api/me tells the console what its operator may do, read from the same table.
    ...sessionRoutes(deps.knex, {
      secureCookies: deps.secureCookies,
      permissions: permissionsFrom(api),
    }),
    ...api,
    ...ingestRoutes({
      knex: deps.knex,
      crypto: deps.crypto,
      live: deps.live,
      now: deps.now,
      ...deps.ingest,
    }),
    ...pushSubscriptionRoutes({
      knex: deps.knex,
      crypto: deps.crypto,
      now: deps.now,
      vapidPublicKey: deps.delivery.push?.vapid.publicKey,
      ...(deps.ingest.ratePerSecond ? { ratePerSecond: deps.ingest.ratePerSecond } : {}),
    }),
    ...deliveryRoutes({
      knex: deps.knex,
      crypto: deps.crypto,
      config: deps.delivery,
      log: deps.log,
      now: deps.now,
      ...(deps.onDue ? { onDue: deps.onDue } : {}),
    }),
  ];
  table.push({
    method: "get",
    path: "/api/openapi.json",
    // It describes the API and reveals nothing a caller could not learn by calling it.
    access: "public",
    summary: "This document",
    responses: { 200: OpenApiDocument },
    handler(_req, res) {
      res.json(buildOpenApi(table));
    },
  });
  return table;
}
