import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { JourneyNode } from "../../../../engine/format/journey.ts";
import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { composeWebhook } from "../../../../engine/webhook/compose.ts";
import type { Change } from "./inputs.tsx";
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
  const { text, setText, emit } = useParsedText<Record<string, string>>(value, headersText);
  return (
    <TextArea
      label="Headers"
      testId="webhook-headers"
      text={text}
      hint="One per line, Name: value (Liquid in the value). Host, Content-Length and hop-by-hop headers are refused."
      onText={(t) => {
        setText(t);
        emit(parseHeaders(t), onChange);
      }}
    />
  );
}

const bodyText = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 2));

function BodyInput({ value, onChange }: { value: unknown; onChange: Change<unknown> }) {
  const { text, setText, emit } = useParsedText<unknown>(value, bodyText);
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <TextArea
      label="Body (JSON)"
      testId="webhook-body"
      text={text}
      error={error}
      hint={
        'JSON; Liquid in string values, e.g. {"name": "{{ user.firstName }}"}. Values are escaped, so quotes in them stay text.'
      }
      onText={(t) => {
        setText(t);
        if (t.trim() === "") {
          setError(undefined);
          emit(undefined, onChange);
          return;
        }
        try {
          emit(JSON.parse(t) as unknown, onChange);
          setError(undefined);
        } catch (err) {
          // Kept as typed and not saved until it parses: the last valid body stays the node's.
          setError(`Not JSON yet: ${err instanceof Error ? err.message : String(err)}`);
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
  if (!send.webhook) {
    return (
      <section className="sms-preview" aria-label="Webhook preview">
        <h4>Preview</h4>
        <p className="muted">
          No request of its own: the message is posted in Waymark's envelope to the server's
          WAYMARK_WEBHOOK_URL. Switch on Request to send your own method, URL, headers and body.
        </p>
      </section>
    );
  }
  const vars = sampleTemplateVars(journey);
  const r = composeWebhook(send.webhook, vars, {});
  return (
    <section className="sms-preview" aria-label="Webhook preview">
      <h4>Preview for {String(vars.user.firstName ?? "a sample contact")}</h4>
      {r.ok ? (
        <pre className="email-text" data-testid="webhook-preview">
          {[
            `${r.request.method} ${r.request.url}`,
            ...(r.request.body === null ? [] : ["Content-Type: application/json"]),
            ...Object.entries(r.request.headers).map(([k, v]) => `${k}: ${v}`),
            "Idempotency-Key: <one per message>",
            "X-Waymark-Signature: t=…,v1=<HMAC of the body>",
            ...(r.request.body === null ? [] : ["", prettyJson(r.request.body)]),
          ].join("\n")}
        </pre>
      ) : (
        <p className="error" role="alert">
          {r.field} error: {r.error}
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
