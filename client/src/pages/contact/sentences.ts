import type { TFunction } from "i18next";
import { DEFAULT_VARIANT } from "../../../../engine/nodes/send-variants.ts";
import { assertNever } from "../../../../engine/shared/assert-never.ts";
import type { TimelineRow } from "../../api.ts";
import { formatDateTime } from "../../i18n/format.ts";
import { msgKey } from "../../i18n/index.ts";
import { CHANNEL_LABELS, labelOf, SEND_REASON_LABELS } from "../../i18n/labels.ts";
import { isKnownType } from "./timeline.ts";

/*
 * A timeline row in the operator's language (issue #20). The engine records codes and
 * parameters beside its English `detail` (engine/effects.ts TimelineEntry: type, reason, until,
 * path, channel, attribute…; replies add reply and replyAction, server/runtime/step-batch.ts);
 * these sentences are made from those, in either language. `detail` stays in the API for the
 * CLI and tooltips; a row whose codes are not known here (a type or reason added later) shows
 * it as recorded rather than nothing.
 */

/** Why an enrollment ended (engine/effects.ts ExitReason, archive and version migration). */
const EXIT_REASONS: Record<string, string> = {
  exit_node: msgKey("timeline.exit.exit_node"),
  end_of_path: msgKey("timeline.exit.end_of_path"),
  exit_on: msgKey("timeline.exit.exit_on"),
  missing_attribute: msgKey("timeline.exit.missing_attribute"),
  loop_guard: msgKey("timeline.exit.loop_guard"),
  archived: msgKey("timeline.exit.archived"),
  removed_in_new_version: msgKey("timeline.exit.removed_in_new_version"),
};

/** An enrollment's exit reason in words (the inspector's status line). */
export function exitReasonLabel(t: TFunction, reason: string): string {
  return label(t, EXIT_REASONS, reason) ?? reason;
}

/** Why an update node did not write (engine/nodes/update.ts). */
const UPDATE_FAILURES: Record<string, string> = {
  not_a_number: msgKey("timeline.updateFailure.not_a_number"),
  not_a_boolean: msgKey("timeline.updateFailure.not_a_boolean"),
  out_of_range: msgKey("timeline.updateFailure.out_of_range"),
  template_error: msgKey("timeline.updateFailure.template_error"),
  too_long: msgKey("timeline.updateFailure.too_long"),
  bad_name: msgKey("timeline.updateFailure.bad_name"),
};

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const shown = (v: unknown): string =>
  v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);

/** A label from a table of keys, or the code itself when the table does not know it. */
function label(t: TFunction, table: Readonly<Record<string, string>>, code: unknown) {
  const key = labelOf(table, code);
  return key ? t(key) : str(code);
}

/**
 * The row as a sentence in the console's language; `zone` is the contact's when the profile has
 * one (times the engine chose, such as the end of quiet hours, are read in it; else in the
 * viewer's), and the zone is always said, `locale` the console's.
 */
export function timelineSentence(
  row: TimelineRow,
  t: TFunction,
  locale: string,
  zone: string | null,
): string {
  const recorded = row.detail ?? row.reason ?? row.type;
  const type = row.type;
  if (!isKnownType(type)) return recorded;
  const time = (v: unknown) =>
    typeof v === "string" || typeof v === "number"
      ? formatDateTime(locale, v, { timeZone: zone ?? undefined, zoneName: true })
      : null;
  const until = time(row.until);
  switch (type) {
    case "entered": {
      const event = str(row.event);
      return event ? t("timeline.say.enteredOn", { event }) : t("timeline.say.entered");
    }
    case "waiting":
      return until
        ? t("timeline.say.waitingUntil", { time: until })
        : t("timeline.say.waitingEvent");
    case "event": {
      const reply = str(row.reply);
      if (reply !== null) {
        if (row.replyAction === "opt_out") return t("timeline.say.repliedOptOut", { reply });
        if (row.replyAction === "opt_in") return t("timeline.say.repliedOptIn", { reply });
        return t("timeline.say.replied", { reply });
      }
      const event = str(row.event);
      return event ? t("timeline.say.received", { event }) : recorded;
    }
    case "branched":
      return row.path ? t("timeline.say.branched", { path: row.path }) : recorded;
    case "sent": {
      const channel = label(t, CHANNEL_LABELS, row.channel) ?? t("timeline.say.someChannel");
      // A send with variants names the one sent (issue #20): its locale, or the default.
      const variant = str(row.variant);
      if (variant === null) return t("timeline.say.sent", { channel });
      const name = variant === DEFAULT_VARIANT ? t("variants.default") : variant;
      return t("variants.sentVariant", { channel, variant: name });
    }
    case "deferred": {
      const reason = label(t, SEND_REASON_LABELS, row.reason);
      if (!until || !reason) return recorded;
      return t("timeline.say.deferred", { time: until, reason });
    }
    case "suppressed": {
      const reason = label(t, SEND_REASON_LABELS, row.reason);
      return reason ? t("timeline.say.suppressed", { reason }) : recorded;
    }
    case "cooldown":
      return until ? t("timeline.say.cooldown", { time: until }) : recorded;
    case "converted": {
      const event = str(row.event);
      if (!event) return recorded;
      const node = str(row.sendNodeId);
      return node
        ? t("timeline.say.convertedAfter", { event, node })
        : t("timeline.say.converted", { event });
    }
    case "exited": {
      const reason = label(t, EXIT_REASONS, row.reason);
      return reason ? t("timeline.say.exited", { reason }) : recorded;
    }
    case "skipped": {
      const event = str(row.event);
      return event ? t("timeline.say.skippedOn", { event }) : t("timeline.say.skipped");
    }
    case "updated": {
      const attribute = str(row.attribute);
      if (!attribute) return recorded;
      return t("timeline.say.updated", { attribute, from: shown(row.from), to: shown(row.to) });
    }
    case "update_failed": {
      const attribute = str(row.attribute);
      const reason = label(t, UPDATE_FAILURES, row.reason);
      if (!attribute || !reason) return recorded;
      return t("timeline.say.updateFailed", { attribute, reason });
    }
    case "opened": {
      if (row.machine === true) return t("channels.say.machineOpened");
      const subject = str(row.subject);
      return subject ? t("channels.say.openedSubject", { subject }) : t("channels.say.opened");
    }
    default:
      return assertNever(type);
  }
}
