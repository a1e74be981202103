import type { SendSpec } from "../../../../engine/nodes/send.ts";
import { finalBody } from "../../../../engine/nodes/send.ts";
import {
  countSegments,
  nonGsmCharacters,
  type SegmentCount,
} from "../../../../engine/sms/index.ts";
import { renderTemplate, templateVariables } from "../../../../engine/template/index.ts";

/**
 * The SMS as one sample contact would receive it, computed by the engine's own template
 * renderer, opt-out rule and segment counter, so the preview cannot disagree with the send.
 */
export type PreviewLocale = "en" | "zh-CN";

/** The sample contact per preview locale; a real or demo contact comes with the contacts API. */
export const SAMPLE_CONTACTS: Record<PreviewLocale, Record<string, unknown>> = {
  en: {
    id: "demo-1",
    firstName: "Alex",
    lastName: "Rivera",
    city: "Los Angeles",
    points: 1280,
    coupon: "SAVE20",
    topItem: "running shoes",
  },
  "zh-CN": {
    id: "demo-2",
    firstName: "小美",
    lastName: "陈",
    city: "深圳",
    points: 1280,
    coupon: "SAVE20",
    topItem: "猫粮",
  },
};
export const SAMPLE_EVENT: Record<string, unknown> = {
  sku: "SKU-1042",
  item: "Trail runners",
  amount: 129,
  cartUrl: "https://shop.example.com/cart",
};
/** The tracked short link's shape, as the engine's length check assumes it. */
export const SAMPLE_LINK = "https://wmk.to/a1B2c3D4";

export type SmsPreview =
  | { ok: false; error: string; variables: string[] }
  | {
      ok: true;
      body: string;
      optOutAppended: boolean;
      segments: SegmentCount;
      nonGsm: string[];
      /** Variables the sample contact lacks: they render empty for contacts without them too. */
      missing: string[];
      variables: string[];
      locale: string;
    };

function lookup(root: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function previewSms(
  send: SendSpec,
  locale: PreviewLocale,
  journey: { id: string; name: string },
): SmsPreview {
  const vars = templateVariables(send.template);
  const variables = vars.ok ? vars.variables : [];
  const user = SAMPLE_CONTACTS[locale];
  const roots: Record<string, Record<string, unknown>> = { user, event: SAMPLE_EVENT, journey };
  const rendered = renderTemplate(
    send.template,
    { user, event: SAMPLE_EVENT, journey },
    { trackLink: () => SAMPLE_LINK },
  );
  if (!rendered.ok) return { ok: false, error: rendered.error, variables };
  // The node's locale overrides the contact's for the opt-out line, as in the engine's send.
  const effective = send.locale ?? locale;
  const body = finalBody(send, rendered.text, effective);
  const segments = countSegments(body);
  const missing = variables.filter((v) => {
    const [root, ...rest] = v.split(".");
    const top = root === undefined ? undefined : roots[root];
    return !top || lookup(top, rest) === undefined;
  });
  return {
    ok: true,
    body,
    optOutAppended: body !== rendered.text,
    segments,
    nonGsm: segments.encoding === "UCS-2" ? nonGsmCharacters(body) : [],
    missing,
    variables,
    locale: effective,
  };
}
