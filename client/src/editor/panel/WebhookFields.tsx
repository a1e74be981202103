import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { JourneyNode } from "../../../../engine/format/journey.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { composeWebhook } from "../../../../engine/webhook/compose.ts";
import type { Change } from "./inputs.tsx";
import { labelFor } from "./labels.ts";
import { sampleTemplateVars } from "./sms-preview.ts";

/**
 * The webhook half of the send form. Method and URL come from the schema like every field;
 * headers (a name → value map) and the JSON body have no schema-derived input, so they are
 * edited here as text: `Name: value` lines and a JSON document. Hidden on sends that are not
 * webhooks (validation would refuse them). The preview renders the request a sample contact
 * gets through the engine's own composeWebhook.
 */

export function webhookFieldOverride(
  node: JourneyNode,
  path: string,
  value: unknown,
  onChange: Change<unknown>,
): ReactNode | undefined {
  if (node.type !== "send") return undefined;
  if (path === "send.webhook") return node.send.channel === "webhook" ? undefined : null;
  if (path === "send.webhook.headers") return <HeadersInput value={value} onChange={onChange} />;
  if (path === "send.webhook.body") return <BodyInput value={value} onChange={onChange} />;
  return undefined;
}

function headersText(value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join("\n");
}

/** `Name: value` per line; a line without a colon is kept as a name with an empty value. */
function parseHeaders(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const at = line.indexOf(":");
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    Object.defineProperty(out, name, {
      value: at < 0 ? "" : line.slice(at + 1).trim(),
      enumerable: true,
      writable: true,
    });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A textarea over a value it parses: the text is kept as typed while it does not parse (or
 * parses back to the same value), and replaced when the value changes from elsewhere (undo).
 */
function useParsedText<T>(value: unknown, show: (v: unknown) => string) {
  const [text, setText] = useState(() => show(value));
  const emitted = useRef<unknown>(value);
  useEffect(() => {
    // Compared as shown, not by reference: the store may hand back a copy of what was emitted.
    if (show(value) !== show(emitted.current)) {
      emitted.current = value;
      setText(show(value));
    }
  }, [value, show]);
  const emit = (v: T | undefined, onChange: Change<unknown>) => {
    emitted.current = v;
    onChange(v, "field:send.webhook.text");
  };
  return { text, setText, emit };
}

function TextArea(props: {
  label: string;
  text: string;
  hint: string;
  error?: string | undefined;
  onText: (t: string) => void;
  testId: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <textarea
        id={id}
        rows={4}
        spellCheck={false}
        aria-describedby={`${id}-hint`}
        aria-invalid={props.error ? true : undefined}
        data-testid={props.testId}
        value={props.text}
        onChange={(e) => props.onText(e.target.value)}
      />
      <span id={`${id}-hint`} className={`field-hint ${props.error ? "error" : "muted"}`}>
        {props.error ?? props.hint}
      </span>
    </div>
  );
}

function HeadersInput({ value, onChange }: { value: unknown; onChange: Change<unknown> }) {
  const { t } = useTranslation();
  const { text, setText, emit } = useParsedText<Record<string, string>>(value, headersText);
  return (
    <TextArea
      label={labelFor("headers")}
      testId="webhook-headers"
      text={text}
      hint={t("panel.webhook.headersHint")}
      onText={(typed) => {
        setText(typed);
        emit(parseHeaders(typed), onChange);
      }}
    />
  );
}

const bodyText = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 2));

function BodyInput({ value, onChange }: { value: unknown; onChange: Change<unknown> }) {
  const { t } = useTranslation();
  const { text, setText, emit } = useParsedText<unknown>(value, bodyText);
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <TextArea
      label={t("panel.webhook.body")}
      testId="webhook-body"
      text={text}
      error={error}
      hint={t("panel.webhook.bodyHint", { example: '{"name": "{{ user.firstName }}"}' })}
      onText={(typed) => {
        setText(typed);
        if (typed.trim() === "") {
          setError(undefined);
          emit(undefined, onChange);
          return;
        }
        try {
          emit(JSON.parse(typed) as unknown, onChange);
          setError(undefined);
        } catch (err) {
          // Kept as typed and not saved until it parses: the last valid body stays the node's.
          setError(
            t("panel.webhook.notJson", {
              message: err instanceof Error ? err.message : String(err),
            }),
          );
        }
      }}
    />
  );
}

export function WebhookPreviewCard({
  send,
  journey,
}: {
  send: SendSpec;
  journey: { id: string; name: string };
}) {
  const { t } = useTranslation();
  if (!send.webhook) {
    return (
      <section className="sms-preview" aria-label={t("panel.webhook.preview")}>
        <h4>{t("panel.preview.title")}</h4>
        <p className="muted">{t("panel.webhook.envelope")}</p>
      </section>
    );
  }
  const vars = sampleTemplateVars(journey);
  const r = composeWebhook(send.webhook, vars, {});
  return (
    <section className="sms-preview" aria-label={t("panel.webhook.preview")}>
      <h4>
        {t("panel.preview.for", {
          name: String(vars.user.firstName ?? t("panel.preview.sampleContact")),
        })}
      </h4>
      {r.ok ? (
        <pre className="email-text" data-testid="webhook-preview">
          {[
            `${r.request.method} ${r.request.url}`,
            ...(r.request.body === null ? [] : ["Content-Type: application/json"]),
            ...Object.entries(r.request.headers).map(([k, v]) => `${k}: ${v}`),
            `Idempotency-Key: ${t("panel.webhook.perMessage")}`,
            `X-Waymark-Signature: t=…,v1=${t("panel.webhook.hmac")}`,
            ...(r.request.body === null ? [] : ["", prettyJson(r.request.body)]),
          ].join("\n")}
        </pre>
      ) : (
        <p className="error" role="alert">
          {t("panel.preview.fieldError", { field: r.field, message: r.error })}
        </p>
      )}
    </section>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
