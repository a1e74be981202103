import type { TFunction } from "i18next";
import type { Issue, IssueCode } from "../../../engine/index.ts";
import { currentLocale, msgKey } from "../i18n/index.ts";

/*
 * Validation issues in the console's language: the engine returns a code and its specifics
 * (`params`), the catalogs hold one sentence per code. A Record over IssueCode, so a code the
 * engine gains fails the typecheck until it has words (tests/client/issue-text.test.ts holds
 * the sentences to the params). The engine's English `message` stays for the API and the CLI,
 * and is shown on hover for the details a sentence leaves out (a Liquid parse error, a schema
 * path).
 */
export const ISSUE_TEXT: Record<IssueCode, string> = {
  not_json: msgKey("issues.not_json"),
  schema: msgKey("issues.schema"),
  unsupported_format: msgKey("issues.unsupported_format"),
  bad_duration: msgKey("issues.bad_duration"),
  bad_time: msgKey("issues.bad_time"),
  reserved_name: msgKey("issues.reserved_name"),
  bad_attribute_name: msgKey("issues.bad_attribute_name"),
  bad_text: msgKey("issues.bad_text"),
  no_trigger: msgKey("issues.no_trigger"),
  multiple_triggers: msgKey("issues.multiple_triggers"),
  duplicate_node_id: msgKey("issues.duplicate_node_id"),
  dangling_edge: msgKey("issues.dangling_edge"),
  edge_into_trigger: msgKey("issues.edge_into_trigger"),
  edge_from_exit: msgKey("issues.edge_from_exit"),
  unexpected_path: msgKey("issues.unexpected_path"),
  duplicate_path: msgKey("issues.duplicate_path"),
  branch_missing_path: msgKey("issues.branch_missing_path"),
  split_percent_sum: msgKey("issues.split_percent_sum"),
  split_duplicate_arm: msgKey("issues.split_duplicate_arm"),
  split_arm_without_edge: msgKey("issues.split_arm_without_edge"),
  unreachable_node: msgKey("issues.unreachable_node"),
  cycle_without_wait: msgKey("issues.cycle_without_wait"),
  dead_end: msgKey("issues.dead_end"),
  never_exits: msgKey("issues.never_exits"),
  unknown_template_variable: msgKey("issues.unknown_template_variable"),
  template_unknown_attribute: msgKey("issues.template_unknown_attribute"),
  template_unknown_event_property: msgKey("issues.template_unknown_event_property"),
  template_syntax: msgKey("issues.template_syntax"),
  template_budget: msgKey("issues.template_budget"),
  engagement_target_not_send: msgKey("issues.engagement_target_not_send"),
  engagement_target_not_upstream: msgKey("issues.engagement_target_not_upstream"),
  engagement_signal_channel: msgKey("issues.engagement_signal_channel"),
  sms_too_long: msgKey("issues.sms_too_long"),
  email_fields_wrong_channel: msgKey("issues.email_fields_wrong_channel"),
  email_no_subject: msgKey("issues.email_no_subject"),
  webhook_fields_wrong_channel: msgKey("issues.webhook_fields_wrong_channel"),
  webhook_url_invalid: msgKey("issues.webhook_url_invalid"),
  webhook_header_refused: msgKey("issues.webhook_header_refused"),
  webhook_body_on_get: msgKey("issues.webhook_body_on_get"),
  push_fields_wrong_channel: msgKey("issues.push_fields_wrong_channel"),
  push_no_title: msgKey("issues.push_no_title"),
  push_url_invalid: msgKey("issues.push_url_invalid"),
  sms_template_wrong_channel: msgKey("issues.sms_template_wrong_channel"),
  sms_template_text_liquid: msgKey("issues.sms_template_text_liquid"),
  sms_template_param_missing: msgKey("issues.sms_template_param_missing"),
  sms_template_param_unused: msgKey("issues.sms_template_param_unused"),
  sms_template_param_link: msgKey("issues.sms_template_param_link"),
  cooldown_blocks_own_send: msgKey("issues.cooldown_blocks_own_send"),
  audience_unknown: msgKey("issues.audience_unknown"),
  variant_bad_locale: msgKey("issues.variant_bad_locale"),
  variant_duplicate_locale: msgKey("issues.variant_duplicate_locale"),
  variant_wrong_channel: msgKey("issues.variant_wrong_channel"),
  sms_free_text_template_provider: msgKey("issues.sms_free_text_template_provider"),
  sms_template_free_text_provider: msgKey("issues.sms_template_free_text_provider"),
};

/**
 * The issue as the console shows it: in English the engine's own message, which is English
 * already and the most specific (the schema path, the cooldown's scope, the Liquid error);
 * in any other language the catalog's sentence for its code.
 */
export function issueText(t: TFunction, issue: Pick<Issue, "code" | "params" | "message">): string {
  return currentLocale() === "en" ? issue.message : issueSentence(t, issue);
}

/** The catalog's sentence for the issue's code, filled with its params. */
export function issueSentence(t: TFunction, issue: Pick<Issue, "code" | "params">): string {
  const params = issue.params ?? {};
  const sentence = t(ISSUE_TEXT[issue.code], params);
  const suggestion = params.suggestion;
  return suggestion === undefined ? sentence : sentence + t("issues.didYouMean", { suggestion });
}
