export { addDuration, type DurationSpec, durationMs, parseDuration } from "./duration.ts";
export { type NormalizedPhone, normalizePhone } from "./phone.ts";
export { MAX_PHONE_CANDIDATES, phoneCandidates, zoneCountry } from "./phone-candidates.ts";
export { COUNTRY_ZONES, type ResolvedZone, resolveZone, type ZoneSource } from "./resolve-zone.ts";
export {
  formatHhmm,
  localInstants,
  nextLocalMidnight,
  nextTimeOfDay,
  parseHhmm,
  startOfLocalDay,
} from "./time-of-day.ts";
export { formatLocal, isValidZone, type LocalParts, localParts, offsetAt } from "./zone.ts";
