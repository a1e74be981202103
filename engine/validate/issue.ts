/**
 * Validation returns data the canvas can paint (Dittofeed's `journeys.ts`, xyflow's error
 * codes): one Issue per problem, with the node it belongs to and the JSON path inside the
 * document. Every code is listed here once with its severity and meaning; docs/ENGINE.md
 * repeats the table and a test keeps the two in step.
 */
export type Severity = "error" | "warning";

export type Issue = {
  code: IssueCode;
  severity: Severity;
  message: string;
  nodeId?: string;
  path: (string | number)[];
  /**
   * The specifics of `message` (names, counts, limits) as data, so a console can say the issue
   * in its own language from the code; `message` stays the English sentence for the API and CLI.
   */
  params?: IssueParams;
};

export type IssueParams = Readonly<Record<string, string | number>>;

export const ISSUE_CODES = {
  not_json: ["error", "The file is not JSON."],
  schema: [
    "error",
    "The document does not match the journey format (wrong type, missing or unknown field).",
  ],
  unsupported_format: ["error", 'The `format` is not "waymark/journey@1".'],
  bad_duration: ["error", "A duration is not a positive ISO 8601 duration (PT2H, P3D, PT30S)."],
  bad_time: ["error", 'A time of day is not 24-hour "HH:MM".'],
  reserved_name: [
    "error",
    "A node id, journey id, template variable or updated attribute is __proto__, constructor or prototype, names JavaScript objects treat specially.",
  ],
  bad_attribute_name: [
    "error",
    "An update node's attribute is empty or not 1-64 letters, digits, '_' or '-' starting with a letter or '_' (no dots: conditions read dots as nesting).",
  ],
  bad_text: [
    "error",
    "A string holds a NUL character or a lone surrogate, which the database cannot store.",
  ],
  no_trigger: ["error", "The journey has no trigger node."],
  multiple_triggers: ["error", "The journey has more than one trigger node."],
  duplicate_node_id: ["error", "Two nodes share an id."],
  dangling_edge: ["error", "An edge starts or ends at a node id that does not exist."],
  edge_into_trigger: ["error", "An edge points at the trigger; enrollments only enter through it."],
  edge_from_exit: ["error", "An edge leaves an exit node; nothing runs after an exit."],
  unexpected_path: [
    "error",
    "An edge's `path` is not one its source node uses (branches: yes/no, splits: an arm name, others: none).",
  ],
  duplicate_path: [
    "error",
    "Two edges leave the same node with the same path; the next node is ambiguous.",
  ],
  branch_missing_path: ["error", "A branch lacks its yes or its no edge."],
  split_percent_sum: ["error", "A split's arm percentages do not add up to 100."],
  split_duplicate_arm: ["error", "Two arms of a split share a name."],
  split_arm_without_edge: ["error", "A split arm has no out-edge."],
  unreachable_node: ["warning", "No path from the trigger reaches this node; it never runs."],
  cycle_without_wait: [
    "error",
    "A cycle has no wait, event branch or engagement branch on it: an enrollment would spin.",
  ],
  dead_end: [
    "warning",
    "A node other than exit has no out-edge; enrollments end there (status completed) as if it led to an exit.",
  ],
  never_exits: [
    "error",
    "From this node no exit or end of path can be reached: enrollments could never finish.",
  ],
  unknown_template_variable: [
    "error",
    "A template reads a variable outside user.*, event.* and journey.id / journey.name.",
  ],
  template_unknown_attribute: [
    "warning",
    "A template reads a user.* attribute no contact of the workspace has (a typo?); it renders empty. A `default:` filter on it silences this.",
  ],
  template_unknown_event_property: [
    "warning",
    "A template reads an event.* property that no trigger event seen so far carries; it renders empty. A `default:` filter on it silences this.",
  ],
  template_syntax: [
    "error",
    "A template does not parse (Liquid syntax, unknown filter, disabled tag).",
  ],
  template_budget: [
    "error",
    "A template goes over its render budget (loop steps, output size, allocation or source size; engine/template/budget.ts) with sample values.",
  ],
  engagement_target_not_send: [
    "error",
    "An engagement branch names a node that is not a send node.",
  ],
  engagement_target_not_upstream: [
    "error",
    "An engagement branch names a send that does not come before it on any path.",
  ],
  engagement_signal_channel: [
    "warning",
    "An engagement branch waits for `opened` on a webhook send, which never reports opens.",
  ],
  sms_too_long: [
    "warning",
    "An SMS, rendered with sample values and its opt-out line, takes more than N parts (default 3).",
  ],
  email_fields_wrong_channel: [
    "error",
    "A send that is not an email has email fields (subject, HTML, sender); they would be ignored.",
  ],
  email_no_subject: [
    "warning",
    "An email send has no subject (a send from before subjects existed): the journey's name is sent as the subject.",
  ],
  webhook_fields_wrong_channel: [
    "error",
    "A send that is not a webhook has webhook fields (method, URL, headers, body); they would be ignored.",
  ],
  webhook_url_invalid: [
    "error",
    "A webhook send's URL is not http(s), has Liquid or credentials in its scheme or host (Liquid goes in the path and query), or holds spaces or control characters.",
  ],
  webhook_header_refused: [
    "error",
    "A webhook send sets a header it may not: not a header name, hop-by-hop (Connection, Transfer-Encoding…), Host, Content-Length, ours (X-Waymark-*, Idempotency-Key), or a value with a line break.",
  ],
  webhook_body_on_get: [
    "error",
    "A webhook send with method GET has a body, which GET does not send.",
  ],
  push_fields_wrong_channel: [
    "error",
    "A send that is not a push has push fields (title, icon, click URL); they would be ignored.",
  ],
  push_no_title: [
    "warning",
    "A push send has no title (a send from before push had fields): the journey's name is shown as the title.",
  ],
  push_url_invalid: [
    "error",
    "A push send's icon is not an https URL, or its click URL not an http(s) one, or either has Liquid in its host or holds spaces.",
  ],
  sms_template_wrong_channel: [
    "error",
    "A send that is not an SMS names a template code and sign name (send.smsTemplate); they would be ignored.",
  ],
  sms_template_text_liquid: [
    "error",
    "A template SMS's text holds Liquid; the provider's approved text is fixed, so Liquid goes in the parameters' values.",
  ],
  sms_template_param_missing: [
    "error",
    "A placeholder in a template SMS's approved text has no parameter value; the provider refuses the send.",
  ],
  sms_template_param_unused: [
    "warning",
    "A template SMS's parameter names no placeholder of the approved text; its value is sent but never shown.",
  ],
  sms_template_param_link: [
    "warning",
    "A template SMS's parameter value carries a link (or the track filter): China's providers forbid variable and shortened links in parameters.",
  ],
  variant_bad_locale: [
    "error",
    "A send's variant has a locale that is not a BCP 47 tag (zh-CN, en, pt-BR); no contact's locale could pick it.",
  ],
  variant_duplicate_locale: [
    "error",
    "Two variants of a send are for the same locale; only the first could ever be sent.",
  ],
  variant_wrong_channel: [
    "error",
    "A send's variant has content for another channel (email, webhook, template SMS or push fields), which would be ignored, or is not a template SMS (or custom webhook request) where the send is one, or the reverse.",
  ],
  sms_free_text_template_provider: [
    "warning",
    "An SMS send has free text (no template code) but the SMS provider in effect sends approved templates only (Aliyun): it would fail.",
  ],
  sms_template_free_text_provider: [
    "warning",
    "An SMS send names a template code but the SMS provider in effect sends free text: the approved text goes out without the provider's template.",
  ],
  cooldown_blocks_own_send: [
    "warning",
    "A cooldown that holds all journeys (its own included) comes before a send of its scope on the same path: that send is suppressed while the cooldown lasts.",
  ],
  audience_unknown: [
    "error",
    "A condition branch names an audience that does not exist (checked by the server on publish; the engine has no audience store).",
  ],
} as const satisfies Record<string, readonly [Severity, string]>;

export type IssueCode = keyof typeof ISSUE_CODES;

/**
 * The params every issue of a code carries (the console's sentence for the code uses exactly
 * these; a test holds the catalogs to it). Besides them, an issue about an unknown name may
 * carry `suggestion`, the nearest known one ("did you mean …").
 */
export const ISSUE_PARAMS = {
  not_json: [],
  schema: [],
  unsupported_format: [],
  bad_duration: [],
  bad_time: [],
  reserved_name: [],
  bad_attribute_name: [],
  bad_text: [],
  no_trigger: [],
  multiple_triggers: ["node"],
  duplicate_node_id: ["node"],
  dangling_edge: ["from", "to", "missing"],
  edge_into_trigger: ["from", "to"],
  edge_from_exit: ["from", "to"],
  unexpected_path: ["from", "to"],
  duplicate_path: ["node"],
  branch_missing_path: ["path"],
  split_percent_sum: ["sum"],
  split_duplicate_arm: ["arm"],
  split_arm_without_edge: ["arm"],
  unreachable_node: ["node"],
  cycle_without_wait: ["cycle"],
  dead_end: ["node"],
  never_exits: ["node"],
  unknown_template_variable: ["name"],
  template_unknown_attribute: ["name"],
  template_unknown_event_property: ["name", "event"],
  template_syntax: [],
  template_budget: [],
  engagement_target_not_send: ["target"],
  engagement_target_not_upstream: ["target"],
  engagement_signal_channel: [],
  sms_too_long: ["parts", "limit"],
  email_fields_wrong_channel: ["channel"],
  email_no_subject: ["journey"],
  webhook_fields_wrong_channel: ["channel"],
  webhook_url_invalid: [],
  webhook_header_refused: ["header"],
  webhook_body_on_get: [],
  push_fields_wrong_channel: ["channel"],
  push_no_title: ["journey"],
  push_url_invalid: [],
  sms_template_wrong_channel: ["channel"],
  sms_template_text_liquid: [],
  sms_template_param_missing: ["name"],
  sms_template_param_unused: ["name"],
  sms_template_param_link: ["name"],
  cooldown_blocks_own_send: ["cooldown"],
  audience_unknown: ["audience"],
  variant_bad_locale: ["locale"],
  variant_duplicate_locale: ["locale"],
  variant_wrong_channel: ["locale"],
  sms_free_text_template_provider: ["provider"],
  sms_template_free_text_provider: ["provider"],
} as const satisfies Record<IssueCode, readonly string[]>;

type ParamsOf<C extends IssueCode> = {
  [K in (typeof ISSUE_PARAMS)[C][number]]: string | number;
} & {
  suggestion?: string;
};

/**
 * An issue of `code`. A code with params (ISSUE_PARAMS) takes them after the node id, so the
 * typecheck refuses an issue that would leave a hole in the console's sentence.
 */
export function issue<C extends IssueCode>(
  code: C,
  message: string,
  path: (string | number)[],
  ...rest: (typeof ISSUE_PARAMS)[C] extends readonly []
    ? [nodeId?: string]
    : [nodeId: string | undefined, params: ParamsOf<C>]
): Issue {
  const [nodeId, params] = rest;
  const base: Issue = { code, severity: ISSUE_CODES[code][0], message, path };
  return {
    ...base,
    ...(nodeId === undefined ? {} : { nodeId }),
    ...(params === undefined ? {} : { params }),
  };
}
