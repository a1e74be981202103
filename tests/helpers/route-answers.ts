import { z } from "zod";
import { ErrorBody, NO_BODY, type ResponseSchema } from "../../server/api/common.ts";
import { implicitStatuses } from "../../server/http/openapi.ts";
import type { RouteSpec, Status } from "../../server/http/routes.ts";

/**
 * Calls routes by their table path and checks every answer against the schema the route
 * declares (tests/server/responses.test.ts): a declared status (or one the table's machinery
 * adds), a body that parses, and nothing sent that the schema does not name. `seen` keeps the
 * statuses each route answered, `problems` every mismatch, for the scenario to assert at the end.
 */
export function routeCaller(
  target: () => { url: string; table: RouteSpec[]; headers: Record<string, string> },
) {
  const seen = new Map<string, Set<number>>();
  const problems: string[] = [];
  const specOf = (method: string, path: string) => {
    const spec = target().table.find((r) => r.method === method && r.path === path);
    if (!spec) throw new Error(`no route ${method} ${path} in the table`);
    return spec;
  };

  /** Calls a route by its table path (`:id` filled from `params`) and checks the answer. */
  const call = async (
    method: RouteSpec["method"],
    path: string,
    options: {
      params?: Record<string, string | number>;
      query?: string;
      body?: unknown;
      /** A form body (Twilio's webhooks, unsubscribe) instead of JSON. */
      form?: Record<string, string>;
      /** The body as these exact bytes (a signed webhook). */
      raw?: string;
      as?: Record<string, string>;
    } = {},
  ) => {
    const spec = specOf(method, path);
    const url = path.replace(/:(\w+)/g, (_m, name: string) =>
      encodeURIComponent(String(options.params?.[name] ?? "")),
    );
    const res = await fetch(`${target().url}${url}${options.query ?? ""}`, {
      method: method.toUpperCase(),
      headers: {
        "content-type": options.form ? "application/x-www-form-urlencoded" : "application/json",
        ...(options.as ?? target().headers),
      },
      body: options.form
        ? new URLSearchParams(options.form).toString()
        : options.raw !== undefined
          ? options.raw
          : options.body === undefined
            ? null
            : JSON.stringify(options.body),
      redirect: "manual",
    });
    const text = await res.text();
    const label = `${method.toUpperCase()} ${path} → ${res.status}`;
    const declared: ResponseSchema | undefined =
      spec.responses[res.status as Status] ??
      (implicitStatuses(spec).includes(res.status as Status) ? ErrorBody : undefined);
    seen.set(`${method} ${path}`, (seen.get(`${method} ${path}`) ?? new Set()).add(res.status));
    if (declared === undefined) problems.push(`${label}: status not declared (${text})`);
    else if (declared === NO_BODY) {
      if (text !== "") problems.push(`${label}: declared no body, got ${text}`);
    } else if (declared instanceof z.ZodType) {
      const body = JSON.parse(text) as unknown;
      const parsed = declared.safeParse(body);
      if (!parsed.success) problems.push(`${label}: ${z.prettifyError(parsed.error)}`);
      // zod drops keys a schema does not name: equal means every field sent is declared.
      else {
        const extra = undeclared(body, parsed.data);
        if (extra) problems.push(`${label}: sends ${extra}, which its schema does not declare`);
      }
    } else if (!res.headers.get("content-type")?.startsWith(declared.mediaType)) {
      problems.push(`${label}: ${res.headers.get("content-type")}, not ${declared.mediaType}`);
    }
    const json = declared instanceof z.ZodType || declared === undefined;
    return { status: res.status, body: json && text ? (JSON.parse(text) as unknown) : null };
  };

  return { call, seen, problems };
}

/** The first path present in what the server sent but dropped by the schema's parse. */
function undeclared(sent: unknown, kept: unknown, path = "body"): string | null {
  if (Array.isArray(sent) && Array.isArray(kept)) {
    for (const [i, v] of sent.entries()) {
      const found = undeclared(v, kept[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (sent && typeof sent === "object" && kept && typeof kept === "object") {
    for (const [k, v] of Object.entries(sent)) {
      if (!Object.hasOwn(kept, k)) return `${path}.${k}`;
      const found = undeclared(v, (kept as Record<string, unknown>)[k], `${path}.${k}`);
      if (found) return found;
    }
  }
  return null;
}
