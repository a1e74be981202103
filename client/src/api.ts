/** The one typed client for the Waymark API; every page goes through it. */

import type { Condition } from "../../engine/audience/schema.ts";
import type { JourneyDiff } from "../../engine/diff/diff.ts";
import type { Issue, Journey } from "../../engine/index.ts";
import type { TemplateNames } from "../../engine/nodes/template-names.ts";
import type { ConsoleAction } from "../../server/auth/permissions.ts";
import type {
  ApiKey,
  AuditPage,
  Contact,
  Enrollment,
  JourneyStats,
  KeyRole,
  Message,
  MessageFilter,
  OperatorRow,
  Policy,
  Role,
  Settings,
  SimulateRequest,
  SimulateResult,
  SkippedEntry,
  SupportAct,
  Suppression,
  TestMessageStatus,
} from "./api-types.ts";

export interface Operator {
  id: number;
  email: string;
  name: string;
  role: Role;
  mustChangePassword: boolean;
  /** What this role may do, computed by the server from its route table (GET /api/me). */
  permissions: Permissions;
}

/** The console controls a role may use (server/auth/permissions.ts names them). */
export type Permissions = Record<ConsoleAction, boolean>;

export type JourneyStatus = "draft" | "live" | "paused" | "archived";
/** While paused, what triggers do: enter and wait at the trigger, or are skipped (counted). */
export type PauseEntries = "wait" | "skip";

export interface JourneySummary {
  id: string;
  name: string;
  status: JourneyStatus;
  /** Set while paused. */
  pauseEntries: PauseEntries | null;
  version: number | null;
  updatedAt: string;
  /** Set while archived. */
  archivedAt: string | null;
  activeUsers: number;
}

/** GET /api/journeys/:id: the mutable draft next to the live version's number. */
export interface JourneyDetail {
  id: string;
  name: string;
  status: JourneyStatus;
  liveVersionId: number | null;
  liveVersion: number | null;
  draft: Journey | null;
  issues: Issue[];
  /** While paused: what triggers do meanwhile, since when, how many were skipped so far. */
  pause: { entries: PauseEntries; since: string; skipped: number } | null;
  /** Entries skipped during pauses set to "skip", all pauses together. */
  skippedEntries: number;
}

export interface SavedJourney {
  journey: Journey;
  issues: Issue[];
}

export interface InFlightRow {
  versionId: number;
  node: string;
  users: number;
  /** Where `migrate` takes these users; null = they exit. */
  to: string | null;
}

export interface PublishOptions {
  inFlight?: "pin" | "migrate";
  map?: Record<string, string | null>;
  dryRun?: boolean;
  /** Shown in the Versions panel and the audit log. */
  note?: string;
}

export interface PublishResult {
  versionId: number | null;
  version: number;
  issues: Issue[];
  inFlight: InFlightRow[];
  migrated: number;
  exited: number;
}

/** GET /api/journeys/:id/versions: one published version, as the Versions panel lists it. */
export interface VersionSummary {
  id: number;
  version: number;
  publishedAt: string;
  publishedBy: { id: number | null; name: string | null };
  note: string | null;
  /** The in-flight policy used at publish (`pin`: users kept their version; `migrate`: moved). */
  inFlight: "pin" | "migrate" | null;
  migrated: number | null;
  exited: number | null;
  /** Users in the journey on this version now. */
  activeUsers: number;
  live: boolean;
}

/** GET /api/journeys/:id/versions/:version: the document and the users on each node now. */
export interface VersionDetail {
  id: number;
  version: number;
  publishedAt: string;
  definition: Journey;
  counts: Record<string, number>;
}

/** GET /api/journeys/:id/diff: the engine's diff of two documents (version numbers or draft). */
export type DiffResponse = JourneyDiff & { from: string; to: string };

/** Revert and discard: the new draft and what it replaced. */
export interface RevertResult extends SavedJourney {
  version: number;
  diff: JourneyDiff;
}

export type ImportMode = "new" | "replace_draft";
/** The 409 `journey_exists` details: the diff against the existing draft and live version. */
export type { ImportConflict } from "../../server/journeys/import.ts";

export interface ImportResult extends SavedJourney {
  outcome: "created" | "replaced_draft" | "created_copy";
  replacedDraft: boolean;
  diff: JourneyDiff;
}

/** Audiences and results: mirror server/routes/audiences.ts and server/routes/results.ts. */
export interface AudienceIssue {
  code: string;
  severity: "error" | "warning";
  message: string;
  path: (string | number)[];
}

export interface Audience {
  id: string;
  name: string;
  description: string | null;
  definition: Condition;
  createdAt: string;
  updatedAt: string;
}

export interface AudienceMember {
  id: number;
  externalId: string;
  email: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
}

export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmCell {
  r: Score;
  f: Score;
  count: number;
  avgMonetary: number | null;
  definition: Condition;
}

export interface RfmGrid {
  cells: RfmCell[];
  recency: { score: Score; minDays: number | null; maxDays: number | null }[];
  frequency: { score: Score; minOrders: number | null; maxOrders: number | null }[];
  buyers: number;
  contacts: number;
  ms: number;
}

// Results are typed by the server module that computes them (type-only: nothing server-side
// is bundled), so the page and the API cannot drift.
export type { Day as ResultDay } from "../../server/results/queries.ts";
export type {
  ArmResult,
  Converted,
  JourneyResults,
  Rate,
  SendResult,
} from "../../server/results/results.ts";
export type { ZTest } from "../../server/results/stats.ts";
export type { JourneyToday, NodeToday } from "../../server/results/today.ts";

import type { JourneyResults } from "../../server/results/results.ts";
import type { JourneyToday } from "../../server/results/today.ts";

export interface AudienceBody {
  id?: string;
  name: string;
  description?: string;
  definition: Condition;
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

  /** Audience issues carried by a 422 `invalid_audience`, with paths inside the definition. */
  get audienceIssues(): AudienceIssue[] {
    return Array.isArray(this.details) ? (this.details as AudienceIssue[]) : [];
  }

  /** Validation issues carried by a 422 (import, save, publish); empty for other errors. */
  get issues(): Issue[] {
    return Array.isArray(this.details) ? (this.details as Issue[]) : [];
  }

  /** Field problems carried by a 400 (`[{path, message}]`, e.g. PUT /api/settings). */
  get problems(): { path: string; message: string }[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.flatMap((d: unknown) => {
      if (typeof d !== "object" || d === null) return [];
      const { path, message } = d as { path?: unknown; message?: unknown };
      if (typeof message !== "string") return [];
      const p = Array.isArray(path) ? path.join(".") : typeof path === "string" ? path : "";
      return [{ path: p, message }];
    });
  }
}

/** The window event fired when the server refuses a call for the operator's role. */
export const ROLE_REFUSED = "waymark:role-refused";

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  // Every state-changing request is JSON, even with nothing to say (`{}`): the server's CSRF
  // check accepts only application/json from the console's own origin.
  const payload = body === undefined && method !== "GET" ? {} : body;
  const res = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: payload === undefined ? {} : { "content-type": "application/json" },
    body: payload === undefined ? null : JSON.stringify(payload),
  });
  if (res.ok) return res;
  const data = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; details: unknown };
  } | null;
  const e = data?.error;
  // A role refused: the operator's role may have changed since the console read it (an admin
  // changed it). The shell re-reads GET /api/me, so the controls follow the new role.
  if (res.status === 403 && e?.code === "forbidden") window.dispatchEvent(new Event(ROLE_REFUSED));
  throw new ApiError(
    res.status,
    e?.code ?? "http_error",
    e?.message ?? res.statusText,
    e?.details ?? null,
  );
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const journeyPath = (id: string) => `/api/journeys/${encodeURIComponent(id)}`;
const audiencePath = (id: string) => `/api/audiences/${encodeURIComponent(id)}`;
const contactPath = (id: string | number) => `/api/contacts/${encodeURIComponent(String(id))}`;

/** A query string from the defined values only (`?status=sent&limit=50`), or "". */
export function queryString(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const api = {
  me: () => request<{ operator: Operator }>("GET", "/api/me"),
  changePassword: (current: string, next: string) =>
    request<{ changed: true; sessionsEnded: number }>("PUT", "/api/me/password", {
      current,
      next,
    }),
  login: (email: string, password: string) =>
    request<{ ok: true }>("POST", "/api/session", { email, password }),
  logout: () => request<void>("DELETE", "/api/session"),

  /** Without a status, every journey but the archived ones. */
  journeys: (filter: { q?: string; status?: JourneyStatus } = {}) =>
    request<{ journeys: JourneySummary[] }>(
      "GET",
      `/api/journeys${queryString({ q: filter.q?.trim() || undefined, status: filter.status })}`,
    ),
  journey: (id: string) => request<JourneyDetail>("GET", journeyPath(id)),
  createJourney: (doc: Journey) => request<SavedJourney>("POST", "/api/journeys", doc),
  /**
   * Creates a journey; an existing id is refused with 409 `journey_exists` (details: an
   * ImportConflict) unless `mode` says what to do. 422 lists the document's issues.
   */
  importJourney: (doc: unknown, mode?: ImportMode) =>
    request<ImportResult>("POST", `/api/journeys/import${queryString({ mode })}`, doc),
  saveDraft: (doc: Journey) => request<SavedJourney>("PUT", journeyPath(doc.id), doc),
  archive: (id: string) => request<{ archived: true; exited: number }>("DELETE", journeyPath(id)),
  /** Back as paused (ever published) or draft; users who exited at the archive stay exited. */
  unarchive: (id: string) =>
    request<{ status: "paused" | "draft" }>("POST", `${journeyPath(id)}/unarchive`),
  publish: (id: string, options: PublishOptions = {}) =>
    request<PublishResult>("POST", `${journeyPath(id)}/publish`, options),
  pause: (id: string, entries: PauseEntries) =>
    request<{ status: "paused"; entries: PauseEntries }>("POST", `${journeyPath(id)}/pause`, {
      entries,
    }),
  resume: (id: string) => request<{ status: "live" }>("POST", `${journeyPath(id)}/resume`),
  duplicate: (id: string, copy: { id: string; name?: string }) =>
    request<SavedJourney>("POST", `${journeyPath(id)}/duplicate`, copy),
  versions: (id: string) =>
    request<{ liveVersion: number | null; versions: VersionSummary[] }>(
      "GET",
      `${journeyPath(id)}/versions`,
    ),
  /**
   * A published version's document and the users on its nodes now: the publish dialog's diff,
   * the Versions panel's read-only canvas, the inspector's canvas of a contact's version.
   */
  versionDefinition: (id: string, version: number) =>
    request<VersionDetail>("GET", `${journeyPath(id)}/versions/${version}`),
  versionCounts: (id: string, version: number) =>
    request<{ version: number; counts: Record<string, number> }>(
      "GET",
      `${journeyPath(id)}/versions/${version}/counts`,
    ),
  /** `from`/`to`: a version number or "draft". */
  diff: (id: string, from: number | "draft", to: number | "draft") =>
    request<DiffResponse>("GET", `${journeyPath(id)}/diff${queryString({ from, to })}`),
  revert: (id: string, version: number) =>
    request<RevertResult>("POST", `${journeyPath(id)}/revert`, { version }),
  discardDraft: (id: string) =>
    request<RevertResult>("POST", `${journeyPath(id)}/discard-draft`, {}),
  journeyAudit: (id: string, before?: number) =>
    request<AuditPage>("GET", `${journeyPath(id)}/audit${queryString({ before })}`),
  /** The canonical export URL: a plain link downloads it with the session cookie. */
  exportUrl: (id: string) => `${journeyPath(id)}/export`,
  exportText: async (id: string) => (await send("GET", `${journeyPath(id)}/export`)).text(),
  stats: (id: string) => request<JourneyStats>("GET", `${journeyPath(id)}/stats`),
  /** Per node, today in the workspace's zone: entered, sent, suppressed and deferred by reason. */
  today: (id: string) => request<JourneyToday>("GET", `${journeyPath(id)}/today`),

  /** The draft's test list: the ids listed, and those of them that are contacts. */
  testList: (id: string) =>
    request<{ listed: string[]; contacts: { id: number; externalId: string }[] }>(
      "GET",
      `${journeyPath(id)}/test-list`,
    ),
  testSend: (id: string, nodeId: string, contactId: string) =>
    request<{ messageId: number; text: string; status: "queued" }>(
      "POST",
      `${journeyPath(id)}/test-send`,
      { nodeId, contactId },
    ),
  testMessage: (id: string, messageId: number) =>
    request<TestMessageStatus>("GET", `${journeyPath(id)}/test-send/${messageId}`),
  /** Support's acts on a contact; each is audited with the operator and the reason. */
  optOut: (id: string | number, body: { channel: string; category: string; reason?: string }) =>
    request<{ optedOut: true; canceled: number }>("POST", `${contactPath(id)}/opt-out`, body),
  optIn: (id: string | number, body: { channel: string; category: string; reason: string }) =>
    request<{ optedIn: true; revoked: number }>("POST", `${contactPath(id)}/opt-in`, body),
  setConsent: (
    id: string | number,
    body: { channel: string; category: string; granted: boolean; reason: string },
  ) => request<{ consent: Record<string, unknown> }>("PUT", `${contactPath(id)}/consent`, body),
  /** One page of contacts, newest first; `next` is the `before` of the following page. */
  contacts: (q: string, before?: number) =>
    request<{ contacts: Contact[]; next: number | null }>(
      "GET",
      `/api/contacts${queryString({ q: q.trim() || undefined, before })}`,
    ),
  contact: (id: string | number) =>
    request<{ contact: Contact; suppressions: Suppression[] }>("GET", contactPath(id)),
  /** The inspector: every enrollment of one contact with its current node and timeline. */
  contactJourneys: (id: string | number) =>
    request<{
      contact: Contact;
      enrollments: Enrollment[];
      skipped: SkippedEntry[];
      support: SupportAct[];
    }>("GET", `${contactPath(id)}/journeys`),

  messages: (filter: MessageFilter = {}) =>
    request<{ messages: Message[] }>("GET", `/api/messages${queryString({ ...filter })}`),

  settings: () => request<Settings>("GET", "/api/settings"),
  /** Names templates are checked against (server/contacts/template-names.ts). */
  templateNames: (event: string | null) =>
    request<TemplateNames>(
      "GET",
      `/api/template-names${queryString({ event: event ?? undefined })}`,
    ),
  /** Admin only; a 400 carries `details: [{path, message}]` (see ApiError.problems). */
  saveSettings: (policy: Policy) => request<{ policy: Policy }>("PUT", "/api/settings", { policy }),

  simulate: (body: SimulateRequest) => request<SimulateResult>("POST", "/api/simulate", body),

  keys: () => request<{ keys: ApiKey[] }>("GET", "/api/keys"),
  /** The key is in this answer only: it is stored hashed. */
  createKey: (kind: ApiKey["kind"], name: string, role?: KeyRole) =>
    request<{ id: number | string; key: string; role: KeyRole | null }>(
      "POST",
      "/api/keys",
      kind === "secret" ? { kind, name, role } : { kind, name },
    ),
  revokeKey: (id: number | string) =>
    request<void>("DELETE", `/api/keys/${encodeURIComponent(String(id))}`),

  audiences: () => request<{ audiences: Audience[] }>("GET", "/api/audiences"),
  audience: (id: string) => request<{ audience: Audience }>("GET", audiencePath(id)),
  /** 422 `invalid_audience` carries issues with paths (see ApiError.audienceIssues). */
  createAudience: (body: AudienceBody) =>
    request<{ audience: Audience; issues: AudienceIssue[] }>("POST", "/api/audiences", body),
  saveAudience: (id: string, body: Omit<AudienceBody, "id">) =>
    request<{ audience: Audience; issues: AudienceIssue[] }>("PUT", audiencePath(id), body),
  deleteAudience: (id: string) => request<{ deleted: true }>("DELETE", audiencePath(id)),
  estimate: (definition: Condition) =>
    request<{ count: number; ms: number; issues: AudienceIssue[] }>(
      "POST",
      "/api/audiences/estimate",
      definition,
    ),
  preview: (definition: Condition) =>
    request<{ members: AudienceMember[] }>("POST", "/api/audiences/preview", definition),
  rfm: () => request<RfmGrid>("GET", "/api/rfm"),
  results: (id: string) => request<JourneyResults>("GET", `${journeyPath(id)}/results`),
  /** A plain link downloads it with the session cookie. */
  resultsCsvUrl: (id: string) => `${journeyPath(id)}/results.csv`,

  operators: () => request<{ operators: OperatorRow[] }>("GET", "/api/operators"),
  /** The one-time password is in this answer only. */
  createOperator: (body: { email: string; role: Role; name?: string }) =>
    request<{ id: number; password: string }>("POST", "/api/operators", body),
  /** Admin only: the whole audit log, newest first. */
  audit: (filter: { action?: string; subjectType?: string; before?: number } = {}) =>
    request<AuditPage>("GET", `/api/audit${queryString({ ...filter })}`),
  /** Admin only; refused for yourself and for the last admin. */
  setOperatorRole: (id: number, role: Role) =>
    request<{ changed: boolean; role: Role; keysStopped: number }>(
      "PUT",
      `/api/operators/${encodeURIComponent(String(id))}/role`,
      { role },
    ),
  disableOperator: (id: number) =>
    request<{ disabled: true; keysStopped: number; writeKeysActive: number }>(
      "DELETE",
      `/api/operators/${encodeURIComponent(String(id))}`,
    ),
};
