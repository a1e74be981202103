import {
  type AdvanceResult,
  advance,
  compileFresh,
  type Effect,
  type Journey,
  type JourneyEvent,
  type TimelineEntry,
} from "../../engine/index.ts";
import { contact, exit, journey, policy, ports, sms, trigger, waitFor } from "./helpers.ts";

/** Shared by the advance-*.test.ts files. */
let versions = 0;
export function compiled(j: Journey) {
  return compileFresh({ versionId: `v${++versions}`, journey: j });
}

export function logs(r: AdvanceResult): TimelineEntry[] {
  return r.effects.flatMap((e) => (e.type === "log" ? [e.entry] : []));
}

export function sends(r: AdvanceResult) {
  return r.effects.filter((e): e is Extract<Effect, { type: "send" }> => e.type === "send");
}

/** Enters a journey (trigger event `go` unless given), like the ticker on a matching event. */
export function enter(j: Journey, now: number, c = contact(), p = policy(), event?: JourneyEvent) {
  const cj = compiled(j);
  const r = advance(
    cj,
    null,
    { now, contact: c, policy: p, event: event ?? { name: "go", at: now } },
    ports,
  );
  return { cj, r };
}

/** trigger → 1 h wait → promotional SMS → exit. */
export const simple = journey(
  [trigger(), waitFor("w", "PT1H"), sms("s1"), exit()],
  [
    ["start", "w"],
    ["w", "s1"],
    ["s1", "done"],
  ],
);
