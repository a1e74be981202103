import { Duration } from "luxon";
import { assertNever } from "../shared/assert-never.ts";
import type { Category, Channel } from "../shared/channels.ts";
import { formatLocal } from "../time/zone.ts";

/** Labels for support-facing `detail` strings (English; the UI translates reason codes). */
export function channelLabel(channel: Channel): string {
  switch (channel) {
    case "sms":
      return "SMS";
    case "email":
      return "email";
    case "push":
      return "push";
    case "webhook":
      return "webhook";
    default:
      return assertNever(channel);
  }
}

export function sendLabel(category: Category, channel: Channel): string {
  return `${category} ${channelLabel(channel)}`;
}

/** "30 days", "24 hours", "1 day, 2 hours". */
export function durationLabel(iso: string): string {
  const d = Duration.fromISO(iso, { locale: "en" });
  return d.isValid ? d.toHuman() : iso;
}

/** "2025-06-02 08:00 Asia/Shanghai" */
export function instantLabel(at: number, zone: string): string {
  return `${formatLocal(at, zone)} ${zone}`;
}
