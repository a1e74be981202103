import { loadRemoteConfig } from "../config.ts";

/**
 * The CLI as a client of a running server (`waymark export`, `waymark import`): the URL from
 * `--url` or WAYMARK_URL, the secret key from WAYMARK_API_KEY, JSON in and out, and errors as
 * one line a person can act on instead of a stack trace.
 */
export interface Remote {
  url: string;
  key: string;
}

export function remote(
  urlFlag: string | undefined,
): { ok: true; remote: Remote } | { ok: false; message: string } {
  const config = loadRemoteConfig();
  const url = (urlFlag ?? config.url).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(url))
    return { ok: false, message: `--url must be http(s)://…, got "${url}"` };
  if (!config.apiKey)
    return {
      ok: false,
      message:
        "set WAYMARK_API_KEY to a secret key (create one in Settings → API keys, or `waymark keys create --kind secret`)",
    };
  return { ok: true, remote: { url, key: config.apiKey } };
}

export interface Answer {
  status: number;
  text: string;
  /** The API's `{error: {code, message, details}}`, when it answered with one. */
  error: { code: string; message: string; details: unknown } | null;
}

export async function call(
  r: Remote,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<Answer> {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${r.key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let error: Answer["error"] = null;
  if (!res.ok) {
    try {
      error = (JSON.parse(text) as { error?: Answer["error"] }).error ?? null;
    } catch {
      error = null;
    }
  }
  return { status: res.status, text, error };
}

/** "cannot reach http://…: connect ECONNREFUSED" rather than a fetch stack trace. */
export function unreachable(r: Remote, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return `cannot reach ${r.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`;
}

export function failure(a: Answer): string {
  return a.error ? `${a.status} ${a.error.code}: ${a.error.message}` : `HTTP ${a.status}`;
}
