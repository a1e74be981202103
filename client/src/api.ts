/** The one typed client for the Waymark API; every page goes through it. */

export interface Operator {
  id: number;
  email: string;
  name: string;
  role: "admin" | "marketer" | "support" | "engineer";
  mustChangePassword: boolean;
}

export interface JourneySummary {
  id: string;
  name: string;
  status: "draft" | "live" | "paused" | "archived";
  version: number | null;
  updatedAt: string;
  activeUsers: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; details: unknown };
  } | null;
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(
      res.status,
      e?.code ?? "http_error",
      e?.message ?? res.statusText,
      e?.details ?? null,
    );
  }
  return data as T;
}

export const api = {
  me: () => request<{ operator: Operator }>("GET", "/api/me"),
  login: (email: string, password: string) =>
    request<{ ok: true }>("POST", "/api/session", { email, password }),
  logout: () => request<void>("DELETE", "/api/session"),
  journeys: () => request<{ journeys: JourneySummary[] }>("GET", "/api/journeys"),
};
