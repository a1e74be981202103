import { parseHhmm } from "../../../../engine/time/index.ts";
import { i18n, msgKey } from "../../i18n/index.ts";
import { humanizeDuration, parseSpokenDuration } from "../durations.ts";
import { humanizeKey } from "../schema/introspect.ts";

/**
 * Words for the schema-derived form, in the console's language. The schema decides which
 * fields exist; these tables give every field key, hint and option value a catalog key. A key
 * missing here (a field the engine gains) gets a humanized English label until it has words.
 */
const LABELS: Record<string, string> = {
  after: msgKey("panel.field.after"),
  applies: msgKey("panel.field.applies"),
  arms: msgKey("panel.field.arms"),
  as: msgKey("panel.field.as"),
  attribute: msgKey("panel.field.attribute"),
  audience: msgKey("panel.field.audience"),
  body: msgKey("panel.field.body"),
  branch: msgKey("panel.field.branch"),
  by: msgKey("panel.field.by"),
  category: msgKey("panel.field.category"),
  channel: msgKey("panel.field.channel"),
  code: msgKey("panel.field.code"),
  conditions: msgKey("panel.field.conditions"),
  cooldown: msgKey("panel.field.cooldown"),
  direction: msgKey("panel.field.direction"),
  duration: msgKey("panel.field.duration"),
  email: msgKey("panel.field.email"),
  end: msgKey("panel.field.end"),
  event: msgKey("panel.field.event"),
  exitOn: msgKey("panel.field.exitOn"),
  fallback: msgKey("panel.field.fallback"),
  from: msgKey("panel.field.from"),
  goal: msgKey("panel.field.goal"),
  headers: msgKey("panel.field.headers"),
  html: msgKey("panel.field.html"),
  icon: msgKey("panel.field.icon"),
  label: msgKey("panel.field.label"),
  locale: msgKey("panel.field.locale"),
  match: msgKey("panel.field.match"),
  method: msgKey("panel.field.method"),
  name: msgKey("panel.field.name"),
  node: msgKey("panel.field.node"),
  offset: msgKey("panel.field.offset"),
  offsetDays: msgKey("panel.field.offsetDays"),
  params: msgKey("panel.field.params"),
  percent: msgKey("panel.field.percent"),
  preheader: msgKey("panel.field.preheader"),
  push: msgKey("panel.field.push"),
  quietHours: msgKey("panel.field.quietHours"),
  reentry: msgKey("panel.field.reentry"),
  replyTo: msgKey("panel.field.replyTo"),
  scope: msgKey("panel.field.scope"),
  send: msgKey("panel.field.send"),
  signName: msgKey("panel.field.signName"),
  signal: msgKey("panel.field.signal"),
  smsTemplate: msgKey("panel.field.smsTemplate"),
  split: msgKey("panel.field.split"),
  start: msgKey("panel.field.start"),
  subject: msgKey("panel.field.subject"),
  template: msgKey("panel.field.template"),
  testList: msgKey("panel.field.testList"),
  time: msgKey("panel.field.time"),
  title: msgKey("panel.field.title"),
  trigger: msgKey("panel.field.trigger"),
  update: msgKey("panel.field.update"),
  url: msgKey("panel.field.url"),
  value: msgKey("panel.field.value"),
  wait: msgKey("panel.field.wait"),
  webhook: msgKey("panel.field.webhook"),
  weekdays: msgKey("panel.field.weekdays"),
  where: msgKey("panel.field.where"),
  within: msgKey("panel.field.within"),
  yearly: msgKey("panel.field.yearly"),
  kind: msgKey("panel.field.kind"),
  mode: msgKey("panel.field.mode"),
};

const HINTS: Record<string, string> = {
  within: msgKey("panel.hint.within"),
  offsetDays: msgKey("panel.hint.offsetDays"),
  yearly: msgKey("panel.hint.yearly"),
  exitOn: msgKey("panel.hint.exitOn"),
  goal: msgKey("panel.hint.goal"),
  quietHours: msgKey("panel.hint.quietHours"),
  testList: msgKey("panel.hint.testList"),
  reentry: msgKey("panel.hint.reentry"),
  weekdays: msgKey("panel.hint.weekdays"),
  match: msgKey("panel.hint.match"),
  audience: msgKey("panel.hint.audience"),
  email: msgKey("panel.hint.email"),
  preheader: msgKey("panel.hint.preheader"),
  from: msgKey("panel.hint.from"),
  webhook: msgKey("panel.hint.webhook"),
  url: msgKey("panel.hint.url"),
  push: msgKey("panel.hint.push"),
  icon: msgKey("panel.hint.icon"),
  smsTemplate: msgKey("panel.hint.smsTemplate"),
  code: msgKey("panel.hint.code"),
  signName: msgKey("panel.hint.signName"),
  params: msgKey("panel.hint.params"),
};

const OPTIONS: Record<string, string> = {
  GET: msgKey("panel.option.GET"),
  PATCH: msgKey("panel.option.PATCH"),
  POST: msgKey("panel.option.POST"),
  PUT: msgKey("panel.option.PUT"),
  after: msgKey("panel.option.after"),
  all: msgKey("panel.option.all"),
  all_journeys: msgKey("panel.option.all_journeys"),
  always: msgKey("panel.option.always"),
  any: msgKey("panel.option.any"),
  api: msgKey("panel.option.api"),
  audience: msgKey("panel.option.audience"),
  before: msgKey("panel.option.before"),
  best_hour: msgKey("panel.option.best_hour"),
  boolean: msgKey("panel.option.boolean"),
  clicked: msgKey("panel.option.clicked"),
  condition: msgKey("panel.option.condition"),
  date_attribute: msgKey("panel.option.date_attribute"),
  delivered: msgKey("panel.option.delivered"),
  duration: msgKey("panel.option.duration"),
  email: msgKey("panel.option.email"),
  engagement: msgKey("panel.option.engagement"),
  event: msgKey("panel.option.event"),
  increment: msgKey("panel.option.increment"),
  never: msgKey("panel.option.never"),
  number: msgKey("panel.option.number"),
  opened: msgKey("panel.option.opened"),
  other_journeys: msgKey("panel.option.other_journeys"),
  promotional: msgKey("panel.option.promotional"),
  push: msgKey("panel.option.push"),
  service: msgKey("panel.option.service"),
  set: msgKey("panel.option.set"),
  sms: msgKey("panel.option.sms"),
  text: msgKey("panel.option.text"),
  time_of_day: msgKey("panel.option.time_of_day"),
  transactional: msgKey("panel.option.transactional"),
  until_attribute: msgKey("panel.option.until_attribute"),
  webhook: msgKey("panel.option.webhook"),
};

const say = (table: Record<string, string>, key: string) =>
  Object.hasOwn(table, key) ? i18n.t(table[key] as string) : undefined;

export const labelFor = (key: string) => say(LABELS, key) ?? humanizeKey(key);
export const hintFor = (key: string) => say(HINTS, key);
export const optionLabel = (value: string) => say(OPTIONS, value) ?? value.replaceAll("_", " ");

/**
 * What a duration field holds, read back in words ("1 hour"; "PT1H = 1 hour" when the ISO text
 * was typed), or what is wrong with it. `iso` is the stored value, `typed` the field's text.
 */
export function durationHint(iso: string, typed = iso): { ok: boolean; text: string } {
  if (typed.trim() === "") return { ok: false, text: i18n.t("panel.duration.example") };
  const words = humanizeDuration(iso);
  if (!words) return { ok: false, text: i18n.t("panel.duration.invalid") };
  return { ok: true, text: /^p/i.test(typed.trim()) ? `${iso} = ${words}` : words };
}

/** The stored value for what was typed: ISO when it reads as a duration, else the text itself. */
export const durationValue = (typed: string) => parseSpokenDuration(typed) ?? typed;

export const isTime = (s: string) => parseHhmm(s) !== null;
