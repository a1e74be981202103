import { randomUUID } from "node:crypto";
import { parseMailbox } from "../../engine/email/spec.ts";
import type { Channel } from "../../engine/shared/channels.ts";
import type { ProviderPutBody, ProviderTestResult, ProviderView } from "../api/providers.ts";
import { HttpError } from "../http/errors.ts";
import { checkDestination } from "./destinations.ts";
import { checkKind, kindSpec, kindsOf, type ProviderSettings } from "./provider-kinds.ts";
import type { StoredProvider } from "./provider-store.ts";
import { buildProvider, type ProviderChoice, type ProviderDeps } from "./providers/index.ts";
import { type SendRequest, type SendResult, TEST_SEND_MESSAGE_ID } from "./types.ts";

/** A form checked against its kind: the settings it runs as and what the row stores. */
export interface ResolvedForm {
  settings: ProviderSettings;
  stored: { settings: Record<string, unknown>; secrets: Record<string, string> };
  /** Secret fields the request replaced or cleared (names only: for the audit entry). */
  secretsChanged: string[];
}

function invalid(field: string, message: string): HttpError {
  return new HttpError(400, "invalid_body", `${field}: ${message}`, [{ path: field, message }]);
}

/**
 * Checks a PUT (or a test's form) with the kind's schema, keeping the stored secrets it omits
 * when the kind is unchanged. Every refusal names its field (`settings.url`, `secrets.authToken`).
 */
export function resolveForm(
  channel: Channel,
  body: ProviderPutBody,
  current: StoredProvider | null,
): ResolvedForm {
  const spec = kindSpec(channel, body.kind);
  if (!spec) throw invalid("kind", `must be one of ${kindsOf(channel).join(", ")}`);
  const secretNames: readonly string[] = spec.secrets;
  for (const name of Object.keys(body.settings)) {
    if (secretNames.includes(name))
      throw invalid(`settings.${name}`, "is a secret: send it in secrets");
  }
  for (const name of Object.keys(body.secrets)) {
    if (!secretNames.includes(name))
      throw invalid(`secrets.${name}`, "is not a secret of this provider");
  }
  const kept = current && current.kind === body.kind ? { ...current.secrets } : {};
  const secretsChanged: string[] = [];
  for (const [name, value] of Object.entries(body.secrets)) {
    secretsChanged.push(name);
    if (value === null) delete kept[name];
    else kept[name] = value;
  }
  const checked = checkKind(channel, body.kind, { ...body.settings, ...kept });
  if (!checked.ok) {
    const part = secretNames.includes(checked.field.split(".")[0] ?? "") ? "secrets" : "settings";
    throw invalid(checked.field === "kind" ? "kind" : `${part}.${checked.field}`, checked.message);
  }
  const fields: Record<string, unknown> = checked.settings.fields;
  const stored = { settings: {} as Record<string, unknown>, secrets: {} as Record<string, string> };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (secretNames.includes(name)) stored.secrets[name] = String(value);
    else stored.settings[name] = value;
  }
  return { settings: checked.settings, stored, secretsChanged };
}

/** The URLs a kind's settings call, by field: refused as webhook sends are (destinations.ts). */
function urlsOf(settings: ProviderSettings): [field: string, url: string][] {
  switch (settings.kind) {
    case "twilio":
      return [["settings.baseUrl", settings.fields.baseUrl]];
    case "aliyun":
      return [["settings.endpoint", settings.fields.endpoint]];
    case "webhook": {
      const { url, lookupUrl } = settings.fields;
      return lookupUrl
        ? [
            ["settings.url", url],
            ["settings.lookupUrl", lookupUrl],
          ]
        : [["settings.url", url]];
    }
    case "smtp":
      return [["secrets.smtpUrl", settings.fields.smtpUrl]];
    case "console":
    case "webpush":
      return [];
  }
}

/** A provider URL that reaches a private, loopback or link-local host is a 400 naming its field. */
export async function checkProviderUrls(
  settings: ProviderSettings,
  allowHosts: readonly string[],
): Promise<void> {
  for (const [field, url] of urlsOf(settings)) {
    const check = await checkDestination(url, allowHosts).catch((err: unknown) => ({
      kind: "refused" as const,
      error: `cannot resolve ${new URL(url).hostname}: ${err instanceof Error ? err.message : String(err)}`,
    }));
    // The SMTP URL holds its password: the refusal names the host, never the URL.
    if (check.kind === "refused") throw invalid(field, check.error);
  }
}

/** A channel as the Settings page shows it: never a secret's value. */
export function viewOf(
  channel: Channel,
  stored: StoredProvider | null,
  envKind: ProviderChoice["kind"],
): ProviderView {
  const kinds = kindsOf(channel);
  if (!stored) {
    return {
      channel,
      source: "environment",
      kind: envKind,
      kinds,
      settings: {},
      secrets: {},
      updatedBy: null,
      updatedAt: null,
    };
  }
  const secretNames = kindSpec(channel, stored.kind)?.secrets ?? [];
  return {
    channel,
    source: "settings",
    kind: stored.kind,
    kinds,
    settings: stored.settings,
    secrets: Object.fromEntries(
      secretNames.map((n) => [n, stored.secrets[n] ? "set" : "not set"] as const),
    ),
    updatedBy: stored.updatedBy,
    updatedAt: stored.updatedAt.toISOString(),
  };
}

/** The recipient a channel's test takes; a 400 naming `to` otherwise. */
export function testRecipient(channel: Channel, to: string): string {
  if (channel === "sms" && !/^\+[1-9]\d{6,14}$/.test(to)) {
    throw invalid("to", "must be a phone number in E.164 form, such as +8613800138000");
  }
  if (channel === "email" && parseMailbox(to) === null) {
    throw invalid("to", "must be an email address");
  }
  return to;
}

/**
 * Sends one test message through `choice` and answers what the provider said, within
 * `boundMs` whatever the provider does (a hanging one answers `timeout`). Never throws.
 */
export async function sendTest(
  channel: Channel,
  choice: ProviderChoice,
  deps: ProviderDeps,
  test: { to: string; smsTemplate: SendRequest["smsTemplate"] },
  boundMs: number,
): Promise<ProviderTestResult> {
  const started = performance.now();
  const body = "Waymark test message: your provider settings work.";
  const request: SendRequest = {
    idempotencyKey: randomUUID(),
    to: test.to,
    body,
    channel,
    category: "transactional",
    email:
      channel === "email"
        ? {
            subject: "Waymark test message",
            html: null,
            preheader: null,
            from: null,
            replyTo: null,
          }
        : null,
    push: channel === "push" ? { title: "Waymark test", icon: null, url: null } : null,
    smsTemplate: test.smsTemplate ?? null,
    webhook: null,
    // No outbox row: links and callbacks that name a message name none.
    messageId: TEST_SEND_MESSAGE_ID,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((done) => {
    timer = setTimeout(() => done("timeout"), boundMs);
  });
  let provider: ReturnType<typeof buildProvider> | null = null;
  let outcome: SendResult | "timeout";
  try {
    provider = buildProvider(choice, deps);
    outcome = await Promise.race([provider.send(request), timeout]);
  } catch (err) {
    outcome = { kind: "failed", error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
  provider?.close?.();
  const ms = Math.round(performance.now() - started);
  const base = { channel, kind: choice.kind, ms };
  if (outcome === "timeout") {
    return {
      ...base,
      result: "timeout",
      providerMessageId: null,
      error: `no answer within ${boundMs} ms`,
    };
  }
  if (outcome.kind === "sent") {
    return { ...base, result: "sent", providerMessageId: outcome.providerMessageId, error: null };
  }
  return { ...base, result: outcome.kind, providerMessageId: null, error: outcome.error };
}
