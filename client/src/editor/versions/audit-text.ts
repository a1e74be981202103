import type { TFunction } from "i18next";
import type { AuditEntry } from "../../api.ts";
import { formatDateTime } from "../../i18n/format.ts";
import { ROLE_LABELS } from "../../i18n/labels.ts";

/**
 * Audit entries in words, for the Versions panel's activity and the Settings page's log:
 * "Published v2 and moved 3 users" / "发布了 v2，并迁移了 3 位用户", made from the action code
 * and its recorded details in the console's language. Unknown actions (added later by other
 * modules) still read: their action name and subject.
 */

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const changesOf = (v: unknown): number | null =>
  typeof v === "object" && v !== null ? num((v as { changes?: unknown }).changes) : null;

/**
 * "3 changes" / "3 处改动": a diff's size, counted as the engine counts it. Counts are
 * formatted by the catalog (`{{count, number}}`, i18next's Intl formatter for its language).
 */
export function changesText(t: TFunction, n: number): string {
  return t("versions.changes", { count: n });
}

export function auditWho(t: TFunction, e: AuditEntry): string {
  switch (e.actor.kind) {
    case "operator":
      return e.actor.name;
    case "key":
      return t("versions.audit.apiKey", { name: e.actor.name });
    case "system":
      return "Waymark";
  }
}

/** A role code as a word; a role this console does not know shows as recorded. */
function role(t: TFunction, v: unknown): string {
  const code = str(v);
  if (code === null) return "?";
  return Object.hasOwn(ROLE_LABELS, code) ? t(ROLE_LABELS[code as keyof typeof ROLE_LABELS]) : code;
}

export function auditWhat(t: TFunction, e: AuditEntry): string {
  const d = e.details;
  const version = num(d.version) ?? "?";
  const email = str(d.email) ?? t("versions.audit.anOperator");
  switch (e.action) {
    case "journey.publish": {
      const moved = num(d.migrated) ?? 0;
      const exited = num(d.exited) ?? 0;
      // Against the version it replaced; a first publish replaced nothing.
      const changes = d.previousVersion === null ? null : changesOf(d.changes);
      return [
        t("versions.audit.published", { version }),
        changes === null
          ? ""
          : t("versions.audit.changesPart", { changes: changesText(t, changes) }),
        d.inFlight === "migrate" ? t("versions.audit.movedPart", { count: moved }) : "",
        d.inFlight === "migrate" && exited > 0
          ? t("versions.audit.exitedPart", { count: exited })
          : "",
      ].join("");
    }
    case "journey.pause":
      return t("versions.audit.paused");
    case "journey.resume":
      return t("versions.audit.resumed");
    case "journey.archive": {
      const exited = num(d.exited) ?? 0;
      return t("versions.audit.archived", { count: exited });
    }
    case "journey.unarchive":
      // Back paused if it was ever published (nothing sends until a resume), else a draft.
      return str(d.status) === "draft"
        ? t("versions.audit.unarchivedDraft")
        : t("versions.audit.unarchivedPaused");
    case "journey.revert":
      return t("versions.audit.reverted", { version });
    case "journey.discard_draft":
      return t("versions.audit.discarded", { version });
    case "journey.import": {
      const outcome = str(d.outcome);
      const changes = changesOf(d.changes);
      if (outcome === "replaced_draft")
        return (
          t("versions.audit.importedOver") +
          (changes === null
            ? ""
            : t("versions.audit.changesPart", { changes: changesText(t, changes) }))
        );
      if (outcome === "created_copy")
        return t("versions.audit.importedCopy", { from: str(d.from) ?? "?" });
      return t("versions.audit.imported");
    }
    case "settings.update": {
      // Field paths ("quietHours.start") are the policy's own names: shown as recorded.
      const changed = Array.isArray(d.changed) ? (d.changed as unknown[]).map(String) : null;
      if (changed === null) return t("versions.audit.policySaved");
      return t("versions.audit.policyChanged", {
        fields:
          changed.length > 0
            ? changed.join(t("versions.audit.listSeparator"))
            : t("versions.audit.noField"),
      });
    }
    case "operator.create":
      return t("versions.audit.operatorAdded", { email, role: role(t, d.role) });
    case "operator.disable":
      return t("versions.audit.operatorDisabled", { email, role: role(t, d.role) });
    case "operator.role": {
      const stopped = num(d.keysStopped) ?? 0;
      return (
        t("versions.audit.operatorRole", { email, to: role(t, d.to), from: role(t, d.from) }) +
        (stopped > 0 ? t("versions.audit.keysStoppedPart", { count: stopped }) : "")
      );
    }
    default:
      return `${e.action} ${e.subject.type}${e.subject.id ? ` ${e.subject.id}` : ""}`;
  }
}

export function auditWhen(locale: string, at: string): string {
  return formatDateTime(locale, at);
}
