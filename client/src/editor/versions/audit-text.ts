import type { AuditEntry } from "../../api.ts";
import { changesLabel } from "../diff.ts";

/**
 * Audit entries in words, for the Versions panel's activity and the Settings page's log:
 * "Published v2 and moved 3 users", "Reverted the draft to v1". Unknown actions (added later
 * by other modules) still read: their action name and subject.
 */

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const changesOf = (v: unknown): number | null =>
  typeof v === "object" && v !== null ? num((v as { changes?: unknown }).changes) : null;

export function auditWho(e: AuditEntry): string {
  switch (e.actor.kind) {
    case "operator":
      return e.actor.name;
    case "key":
      return `API key “${e.actor.name}”`;
    case "system":
      return "Waymark";
  }
}

export function auditWhat(e: AuditEntry): string {
  const d = e.details;
  switch (e.action) {
    case "journey.publish": {
      const moved = num(d.migrated) ?? 0;
      const exited = num(d.exited) ?? 0;
      const inFlight =
        d.inFlight === "migrate"
          ? ` and moved ${moved.toLocaleString("en-US")} user${moved === 1 ? "" : "s"}${exited > 0 ? ` (${exited} exited)` : ""}`
          : "";
      // Against the version it replaced; a first publish replaced nothing.
      const changes = d.previousVersion === null ? null : changesOf(d.changes);
      const what = changes === null ? "" : ` (${changesLabel(changes)})`;
      return `Published v${num(d.version) ?? "?"}${what}${inFlight}`;
    }
    case "journey.pause":
      return "Paused the journey";
    case "journey.resume":
      return "Resumed the journey";
    case "journey.archive": {
      const exited = num(d.exited) ?? 0;
      return `Archived the journey (${exited.toLocaleString("en-US")} user${exited === 1 ? "" : "s"} exited)`;
    }
    case "journey.unarchive":
      // Back paused if it was ever published (nothing sends until a resume), else a draft.
      return str(d.status) === "draft"
        ? "Unarchived the journey as a draft"
        : "Unarchived the journey (paused)";
    case "journey.revert":
      return `Made v${num(d.version) ?? "?"} the draft`;
    case "journey.discard_draft":
      return `Discarded the draft (back to v${num(d.version) ?? "?"})`;
    case "journey.import": {
      const outcome = str(d.outcome);
      const changes = changesOf(d.changes);
      if (outcome === "replaced_draft")
        return `Imported a document over the draft${changes === null ? "" : ` (${changesLabel(changes)})`}`;
      if (outcome === "created_copy") return `Imported “${str(d.from) ?? "?"}” as a new journey`;
      return "Imported the journey";
    }
    case "settings.update": {
      const changed = Array.isArray(d.changed) ? (d.changed as unknown[]).map(String) : null;
      return changed === null
        ? "Saved the sending policy"
        : `Changed the sending policy: ${changed.length > 0 ? changed.join(", ") : "no field"}`;
    }
    case "operator.create":
      return `Added ${str(d.email) ?? "an operator"} as ${str(d.role) ?? "?"}`;
    case "operator.disable":
      return `Disabled ${str(d.email) ?? "an operator"} (${str(d.role) ?? "?"})`;
    case "operator.role": {
      const stopped = num(d.keysStopped) ?? 0;
      return `Made ${str(d.email) ?? "an operator"} ${str(d.to) ?? "?"} (was ${str(d.from) ?? "?"})${stopped > 0 ? `; ${stopped} secret key${stopped === 1 ? "" : "s"} stopped` : ""}`;
    }
    default:
      return `${e.action} ${e.subject.type}${e.subject.id ? ` ${e.subject.id}` : ""}`;
  }
}

export function auditWhen(at: string): string {
  return new Date(at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}
