import { loadDeliveryConfig } from "../delivery/config.ts";
import { buildOpenApi } from "../http/openapi.ts";
import { routeTable } from "../routes/index.ts";

/**
 * `waymark openapi`: prints the OpenAPI document without a database (the route table is data;
 * handlers are never called). docs/openapi.json is this output, checked current by a test.
 */
export async function run(_args: string[]): Promise<number> {
  process.stdout.write(`${openApiText()}`);
  return 0;
}

export function openApiText(): string {
  const unused = () => {
    throw new Error("the route table is only read here");
  };
  const routes = routeTable({
    knex: unused as never,
    crypto: unused as never,
    live: unused as never,
    policy: unused as never,
    delivery: loadDeliveryConfig({}),
    now: () => new Date(0),
    databaseKind: "postgres",
    secureCookies: false,
    log: { debug: unused, info: unused, warn: unused, error: unused },
    ingest: {},
  });
  return `${JSON.stringify(buildOpenApi(routes), null, 2)}\n`;
}
