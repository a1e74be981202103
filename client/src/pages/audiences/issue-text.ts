import type { TFunction } from "i18next";
import type { AudienceIssue } from "../../api.ts";
import { formatDuration } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { labelOf } from "../../i18n/labels.ts";
import { OP_LABELS } from "./conditions.ts";

/*
 * Audience issues in the console's language (issue #20), as the contact timeline does for its
 * rows: the engine (engine/audience/validate.ts) returns a code, a `params.reason` where one code
 * covers several cases, and the specifics as params beside its English `message`; these are the
 * sentences. The API and CLI keep `message`. A case not known here (an issue from a newer
 * server) shows that message as it came.
 */

/** Sentence keys by code, then by `params.reason` ("" for codes raised without one). */
export const ISSUE_SENTENCES = {
  schema: {
    not_a_condition: msgKey("audiences.issue.schema.not_a_condition"),
    unknown_key: msgKey("audiences.issue.schema.unknown_key"),
    not_a_list: msgKey("audiences.issue.schema.not_a_list"),
    format: msgKey("audiences.issue.schema.format"),
  },
  bad_duration: { "": msgKey("audiences.issue.bad_duration") },
  missing_value: { "": msgKey("audiences.issue.missing_value") },
  bad_value: {
    list: msgKey("audiences.issue.bad_value.list"),
    one_value: msgKey("audiences.issue.bad_value.one_value"),
    comparable: msgKey("audiences.issue.bad_value.comparable"),
  },
  bad_range: {
    no_bounds: msgKey("audiences.issue.bad_range.no_bounds"),
    reversed_window: msgKey("audiences.issue.bad_range.reversed_window"),
    reversed_score: msgKey("audiences.issue.bad_range.reversed_score"),
  },
  too_complex: {
    conditions: msgKey("audiences.issue.too_complex.conditions"),
    event_conditions: msgKey("audiences.issue.too_complex.event_conditions"),
    wheres: msgKey("audiences.issue.too_complex.wheres"),
  },
  too_many_values: {
    list: msgKey("audiences.issue.too_many_values.list"),
    total: msgKey("audiences.issue.too_many_values.total"),
  },
  bad_text: { "": msgKey("audiences.issue.bad_text") },
  empty_group: {
    and: msgKey("audiences.issue.empty_group.and"),
    or: msgKey("audiences.issue.empty_group.or"),
  },
} as const satisfies Record<AudienceIssue["code"], Record<string, string>>;

/** RFM dimensions by the letter the engine names them with. */
const DIMENSIONS: Record<string, string> = {
  r: msgKey("conditions.recency"),
  f: msgKey("conditions.frequency"),
  m: msgKey("conditions.monetary"),
};

export function issueSentence(t: TFunction, locale: string, issue: AudienceIssue): string {
  const params = issue.params ?? {};
  const reason = typeof params.reason === "string" ? params.reason : "";
  const key = labelOf(ISSUE_SENTENCES[issue.code], reason);
  if (!key) return issue.message;
  const word = (table: Readonly<Record<string, string>>, code: unknown) => {
    const k = labelOf(table, code);
    return k ? t(k) : String(code ?? "");
  };
  const duration = (v: unknown) => (typeof v === "string" ? formatDuration(locale, v) : "");
  return t(key, {
    ...params,
    op: word(OP_LABELS, params.op),
    dim: word(DIMENSIONS, params.dim),
    from: duration(params.from),
    to: duration(params.to),
  });
}
