/** The one typed client for the Waymark API; every page goes through it. */

import type { z } from "zod";
import type { Condition } from "../../engine/audience/schema.ts";
import type { Issue, Journey } from "../../engine/index.ts";
import type { TemplateNames } from "../../engine/nodes/template-names.ts";
import type { Channel } from "../../engine/shared/channels.ts";
import type * as Admin from "../../server/api/admin.ts";
import type * as Audiences from "../../server/api/audiences.ts";
import type * as Common from "../../server/api/common.ts";
import type * as Contacts from "../../server/api/contacts.ts";
import type * as Journeys from "../../server/api/journeys.ts";
import type * as Providers from "../../server/api/providers.ts";
import type * as Results from "../../server/api/results.ts";
import type * as Simulate from "../../server/api/simulate.ts";
import type { ConsoleAction } from "../../server/auth/permissions.ts";

/*
 * The API's types are inferred from the schemas the server's route table declares for its
 * answers (server/api/*.ts, imported as types only: nothing server-side is bundled), the same
 * schemas tests/server/responses.test.ts checks every answer against, so they cannot drift.
 */
type Out<T extends z.ZodType> = z.infer<T>;

export type { Category, Channel } from "../../engine/shared/channels.ts";
export { CATEGORIES, CHANNELS } from "../../engine/shared/channels.ts";

export type Role = (typeof Common.ROLES)[number];
/** A secret key's role: an operator role, or `metrics` (GET /metrics and nothing else). */
export type KeyRole = (typeof Common.KEY_ROLES)[number];

/** The console controls a role may use (server/auth/permissions.ts names them). */
export type Permissions = Record<ConsoleAction, boolean>;
type Me = Out<typeof Admin.Me>["operator"];
export type Operator = Omit<Me, "permissions"> & { permissions: Permissions };
/** A language the console has a catalog for. */
export type ConsoleLocale = Admin.ConsoleLocale;

export type JourneyStatus = (typeof Journeys.JOURNEY_STATUSES)[number];
/** While paused, what triggers do: enter and wait at the trigger, or are skipped (counted). */
export type PauseEntries = (typeof Journeys.PAUSE_ENTRIES)[number];
export type JourneySummary = Out<typeof Journeys.JourneyList>["journeys"][number];

/** GET /api/journeys/:id: the mutable draft next to the live version's number. */
export type JourneyDetail = Out<typeof Journeys.JourneyDetail>;
export type SavedJourney = Out<typeof Journeys.SavedJourney>;
export type PublishResult = Out<typeof Journeys.PublishResult>;
export type InFlightRow = PublishResult["inFlight"][number];
export interface PublishOptions {
  inFlight?: "pin" | "migrate";
  map?: Record<string, string | null>;
  dryRun?: boolean;
  /** Shown in the Versions panel and the audit log. */
  note?: string;
}
/** GET /api/journeys/:id/versions: one published version, as the Versions panel lists it. */
export type VersionSummary = Out<typeof Journeys.VersionList>["versions"][number];
/** GET /api/journeys/:id/versions/:version: the document and the users on each node now. */
export type VersionDetail = Out<typeof Journeys.VersionDetail>;
/** GET /api/journeys/:id/diff: the engine's diff of two documents (version numbers or draft). */
export type DiffResponse = Out<typeof Journeys.DiffResponse>;
/** Revert and discard: the new draft and what it replaced. */
export type RevertResult = Out<typeof Journeys.RevertResult>;
export type ImportMode = "new" | "replace_draft";
/** The 409 `journey_exists` details: the diff against the existing draft and live version. */
export type { ImportConflict } from "../../server/journeys/import.ts";
export type ImportResult = Out<typeof Journeys.ImportResult>;
/** A test message's outcome, polled by the editor's "Send test". */
export type TestMessageStatus = Out<typeof Journeys.TestMessageStatus>;
export type JourneyStats = Out<typeof Journeys.JourneyStats>;
export type NodeStats = Out<typeof Journeys.NodeStatsSchema>;

export type Contact = Out<typeof Contacts.ContactSchema>;
export type Suppression = Out<typeof Contacts.SuppressionSchema>;
/** One row of the enrollment log, as the inspector returns it (and socket.io pushes it). */
export type TimelineRow = Out<typeof Contacts.TimelineRowSchema>;
export type Enrollment = Out<typeof Contacts.EnrollmentSchema>;
/** A trigger that did not enter because its journey was paused with "skip new entries". */
export type SkippedEntry = Out<typeof Contacts.SkippedEntrySchema>;
/** An operator's act on a contact (opt-out, opt-in, consent), from the audit log. */
export type SupportAct = Out<typeof Contacts.SupportActSchema>;
export type Message = Out<typeof Contacts.MessageSchema>;
export type MessageStatus = Message["status"];
/** Every status, in the outbox's order: a Record, so a status the schema gains must be listed. */
const STATUSES: Record<MessageStatus, true> = {
  queued: true,
  sending: true,
  sent: true,
  delivered: true,
  undelivered: true,
  failed: true,
  canceled: true,
};
export const MESSAGE_STATUSES = Object.keys(STATUSES) as MessageStatus[];
/** GET /api/messages' filters (its query schema's input). */
type MessageQuery = z.output<typeof Contacts.MessageQuery>;
export type MessageFilter = { [K in keyof MessageQuery]?: MessageQuery[K] | undefined };

export type Settings = Out<typeof Admin.SettingsSchema>;
/** A channel's provider in Settings: secrets only as "set"/"not set". */
export type ProviderView = Out<typeof Providers.ProviderView>;
export type ProviderTestResult = Out<typeof Providers.ProviderTestResult>;
/** A provider form: omitted secrets are kept, null ones cleared. */
export type ProviderForm = {
  kind: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string | null>;
};
export type Policy = Out<typeof Admin.PolicySchema>;
export type CapRule = Policy["caps"][number];
export type ApiKey = Out<typeof Admin.ApiKeySchema>;
export type OperatorRow = Out<typeof Admin.OperatorSchema>;

/** One audit log entry (server/audit/types.ts): who did what to which subject, and when. */
export type AuditEntry = Out<typeof Common.AuditEntrySchema>;
export type AuditPage = Out<typeof Common.AuditPageSchema>;

export type SimulateRequest = z.input<typeof Simulate.SimulateBody>;
export type SimContactInput = NonNullable<SimulateRequest["contact"]>;
/** The console always sends instants as ISO strings (the API takes epoch ms too). */
export type SimEventInput = Omit<NonNullable<SimulateRequest["events"]>[number], "at"> & {
  at: string;
};
export type SimulateResult = Out<typeof Simulate.SimulateResult>;

export type AudienceIssue = Out<typeof Audiences.AudienceIssueSchema>;
export type Audience = Out<typeof Audiences.AudienceSchema>;
export type AudienceMember = Out<typeof Audiences.AudienceMemberSchema>;
export type RfmGrid = Out<typeof Audiences.RfmGridSchema>;
export type RfmCell = RfmGrid["cells"][number];
export type Score = RfmCell["r"];

export type JourneyResults = Out<typeof Results.JourneyResultsSchema>;
export type SendResult = Out<typeof Results.SendResultSchema>;
export type ArmResult = Out<typeof Results.ArmResultSchema>;
export type Rate = Out<typeof Results.RateSchema>;
export type ZTest = Out<typeof Results.ZTestSchema>;
export type Converted = NonNullable<SendResult["converted"]>[number];
export type ResultDay = Converted["day"];
export type JourneyToday = Out<typeof Results.JourneyTodaySchema>;
export type NodeToday = Out<typeof Results.NodeTodaySchema>;

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
  /** Remembers the console language for the signed-in operator (null: follow the browser). */
  setLocale: (locale: ConsoleLocale | null) =>
    request<Out<typeof Admin.MePreferencesSaved>>("PATCH", "/api/me", { locale }),
  changePassword: (current: string, next: string) =>
    request<Out<typeof Admin.PasswordChanged>>("PUT", "/api/me/password", {
      current,
      next,
    }),
  login: (email: string, password: string) =>
    request<Out<typeof Admin.LoggedIn>>("POST", "/api/session", { email, password }),
  logout: () => request<void>("DELETE", "/api/session"),

  /** Without a status, every journey but the archived ones. */
  journeys: (filter: { q?: string; status?: JourneyStatus } = {}) =>
    request<Out<typeof Journeys.JourneyList>>(
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
  saveDraft: (doc: Journey) =>
    request<Out<typeof Journeys.SavedDraft>>("PUT", journeyPath(doc.id), doc),
  archive: (id: string) => request<Out<typeof Journeys.Archived>>("DELETE", journeyPath(id)),
  /** Back as paused (ever published) or draft; users who exited at the archive stay exited. */
  unarchive: (id: string) =>
    request<Out<typeof Journeys.Unarchived>>("POST", `${journeyPath(id)}/unarchive`),
  publish: (id: string, options: PublishOptions = {}) =>
    request<PublishResult>("POST", `${journeyPath(id)}/publish`, options),
  pause: (id: string, entries: PauseEntries) =>
    request<Out<typeof Journeys.Paused>>("POST", `${journeyPath(id)}/pause`, {
      entries,
    }),
  resume: (id: string) =>
    request<Out<typeof Journeys.Resumed>>("POST", `${journeyPath(id)}/resume`),
  duplicate: (id: string, copy: { id: string; name?: string }) =>
    request<SavedJourney>("POST", `${journeyPath(id)}/duplicate`, copy),
  versions: (id: string) =>
    request<Out<typeof Journeys.VersionList>>("GET", `${journeyPath(id)}/versions`),
  /**
   * A published version's document and the users on its nodes now: the publish dialog's diff,
   * the Versions panel's read-only canvas, the inspector's canvas of a contact's version.
   */
  versionDefinition: (id: string, version: number) =>
    request<VersionDetail>("GET", `${journeyPath(id)}/versions/${version}`),
  versionCounts: (id: string, version: number) =>
    request<Out<typeof Journeys.VersionCounts>>(
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
    request<Out<typeof Journeys.TestList>>("GET", `${journeyPath(id)}/test-list`),
  /** `variant`: "default" or a variant's locale; absent, the one the contact's locale picks. */
  testSend: (id: string, nodeId: string, contactId: string, variant?: string) =>
    request<Out<typeof Journeys.TestSent>>("POST", `${journeyPath(id)}/test-send`, {
      nodeId,
      contactId,
      ...(variant === undefined ? {} : { variant }),
    }),
  testMessage: (id: string, messageId: number) =>
    request<TestMessageStatus>("GET", `${journeyPath(id)}/test-send/${messageId}`),
  /** Support's acts on a contact; each is audited with the operator and the reason. */
  optOut: (id: string | number, body: { channel: string; category: string; reason?: string }) =>
    request<Out<typeof Contacts.OptedOut>>("POST", `${contactPath(id)}/opt-out`, body),
  optIn: (id: string | number, body: { channel: string; category: string; reason: string }) =>
    request<Out<typeof Contacts.OptedIn>>("POST", `${contactPath(id)}/opt-in`, body),
  setConsent: (
    id: string | number,
    body: { channel: string; category: string; granted: boolean; reason: string },
  ) => request<Out<typeof Contacts.ConsentSet>>("PUT", `${contactPath(id)}/consent`, body),
  /** One page of contacts, newest first; `next` is the `before` of the following page. */
  contacts: (q: string, before?: number) =>
    request<Out<typeof Contacts.ContactPage>>(
      "GET",
      `/api/contacts${queryString({ q: q.trim() || undefined, before })}`,
    ),
  contact: (id: string | number) =>
    request<Out<typeof Contacts.ContactDetail>>("GET", contactPath(id)),
  /** The inspector: every enrollment of one contact with its current node and timeline. */
  contactJourneys: (id: string | number) =>
    request<Out<typeof Contacts.ContactJourneys>>("GET", `${contactPath(id)}/journeys`),

  messages: (filter: MessageFilter = {}) =>
    request<Out<typeof Contacts.MessageList>>("GET", `/api/messages${queryString({ ...filter })}`),

  settings: () => request<Settings>("GET", "/api/settings"),
  /** Names templates are checked against (server/contacts/template-names.ts). */
  templateNames: (event: string | null) =>
    request<TemplateNames>(
      "GET",
      `/api/template-names${queryString({ event: event ?? undefined })}`,
    ),
  /** Admin only; a 400 carries `details: [{path, message}]` (see ApiError.problems). */
  saveSettings: (policy: Policy) =>
    request<Out<typeof Admin.SavedPolicy>>("PUT", "/api/settings", { policy }),

  /** Admin only: Settings → Providers. */
  providers: () => request<Out<typeof Providers.ProviderList>>("GET", "/api/providers"),
  saveProvider: (channel: Channel, form: ProviderForm) =>
    request<ProviderView>("PUT", `/api/providers/${channel}`, form),
  /** Back to the environment's provider. */
  forgetProvider: (channel: Channel) =>
    request<ProviderView>("DELETE", `/api/providers/${channel}`),
  /** One real message through the saved provider, or through `provider` (the form) unsaved. */
  testProvider: (
    channel: Channel,
    body: {
      to: string;
      provider?: ProviderForm;
      smsTemplate?: { code: string; signName: string; params: { name: string; value: string }[] };
    },
  ) => request<ProviderTestResult>("POST", `/api/providers/${channel}/test`, body),

  simulate: (body: SimulateRequest) => request<SimulateResult>("POST", "/api/simulate", body),

  keys: () => request<Out<typeof Admin.KeyList>>("GET", "/api/keys"),
  /** The key is in this answer only: it is stored hashed. */
  createKey: (kind: ApiKey["kind"], name: string, role?: KeyRole) =>
    request<Out<typeof Admin.CreatedKey>>(
      "POST",
      "/api/keys",
      kind === "secret" ? { kind, name, role } : { kind, name },
    ),
  revokeKey: (id: number | string) =>
    request<Out<typeof Admin.Revoked>>("DELETE", `/api/keys/${encodeURIComponent(String(id))}`),

  audiences: () => request<Out<typeof Audiences.AudienceList>>("GET", "/api/audiences"),
  audience: (id: string) => request<Out<typeof Audiences.OneAudience>>("GET", audiencePath(id)),
  /** 422 `invalid_audience` carries issues with paths (see ApiError.audienceIssues). */
  createAudience: (body: AudienceBody) =>
    request<Out<typeof Audiences.SavedAudience>>("POST", "/api/audiences", body),
  saveAudience: (id: string, body: Omit<AudienceBody, "id">) =>
    request<Out<typeof Audiences.SavedAudience>>("PUT", audiencePath(id), body),
  deleteAudience: (id: string) =>
    request<Out<typeof Audiences.Deleted>>("DELETE", audiencePath(id)),
  estimate: (definition: Condition) =>
    request<Out<typeof Audiences.Estimate>>("POST", "/api/audiences/estimate", definition),
  preview: (definition: Condition) =>
    request<Out<typeof Audiences.DraftPreview>>("POST", "/api/audiences/preview", definition),
  rfm: () => request<RfmGrid>("GET", "/api/rfm"),
  results: (id: string) => request<JourneyResults>("GET", `${journeyPath(id)}/results`),
  /** A plain link downloads it with the session cookie. */
  resultsCsvUrl: (id: string) => `${journeyPath(id)}/results.csv`,

  operators: () => request<Out<typeof Admin.OperatorList>>("GET", "/api/operators"),
  /** The one-time password is in this answer only. */
  createOperator: (body: { email: string; role: Role; name?: string }) =>
    request<Out<typeof Admin.CreatedOperator>>("POST", "/api/operators", body),
  /** Admin only: the whole audit log, newest first. */
  audit: (filter: { action?: string; subjectType?: string; before?: number } = {}) =>
    request<AuditPage>("GET", `/api/audit${queryString({ ...filter })}`),
  /** Admin only; refused for yourself and for the last admin. */
  setOperatorRole: (id: number, role: Role) =>
    request<Out<typeof Admin.RoleChanged>>(
      "PUT",
      `/api/operators/${encodeURIComponent(String(id))}/role`,
      { role },
    ),
  disableOperator: (id: number) =>
    request<Out<typeof Admin.DisabledOperator>>(
      "DELETE",
      `/api/operators/${encodeURIComponent(String(id))}`,
    ),
};
