import type { Knex } from "knex";
import {
  emptyProfile,
  mergeConsent,
  mergeProfiles,
  type ProfileRow,
  unionGroups,
} from "../contacts/profile.ts";
import {
  type ContactChange,
  existingExternalIds,
  type ResolvedContact,
  resolveContacts,
  updateContacts,
  type WantedContact,
} from "../contacts/upsert.ts";
import { insertEvents, type NewEvent, wakeWaiting } from "../events/record.ts";
import { notifyDue } from "../runtime/due-channel.ts";
import { enroll, entriesForEvents } from "../runtime/enroll.ts";
import type { LiveJourney } from "../runtime/live-journeys.ts";
import type { Command } from "./normalize.ts";
import {
  type AnonymousEvent,
  asContactEvents,
  insertAnonymousEvents,
  lockAnonymous,
  markMerged,
  saveAnonymousProfiles,
  takeAnonymousEvents,
} from "./sql/anonymous.ts";

/**
 * The write of a group of checked calls (from one request or several, writer.ts), in one
 * transaction. Statements come in a fixed order of phases, and every statement that locks rows
 * locks them in a fixed order within its table — that is what makes concurrent batches and the
 * ticker deadlock-free by construction (docs/SCALING.md, "Ingest and locks"):
 *
 *  1. anonymous_ids rows, by anonymous_id (created or locked; merges decided);
 *  2. contacts created, by external_id; existing contacts only read;
 *  3. events, by (contact, messageId), the merged anonymous ones moved along;
 *  4. enrollment wake-ups, by enrollment id (waited for when the ticker holds them);
 *  5. enrollments created, by (contact, journey);
 *  6. existing contacts' profiles, locked by id — last, because the ticker locks contacts after
 *     claiming wake-ups: taking contacts before wake-ups here would close a cycle with it.
 */

export type Outcome =
  | { kind: "accepted" }
  | { kind: "duplicate" }
  | { kind: "rejected"; field: string; message: string };

export interface Applied {
  /** Parallel to the input: one outcome per command of each work. */
  outcomes: Outcome[][];
  /** externalId → contact id of every user named, to remember once committed. */
  contacts: Map<string, number>;
  /** anonymous id → contact id of every anonymous id seen merged, likewise. */
  anonymous: Map<string, number>;
  events: number;
  enrolled: number;
  woken: number;
}

type Target =
  | { kind: "user"; userId: string }
  | { kind: "contact"; id: number }
  | { kind: "anon"; anonymousId: string };

interface Ref {
  cmd: Command;
  out: Outcome[];
  at: number;
  target: Target | null;
}

const ACCEPTED: Outcome = { kind: "accepted" };
const DUPLICATE: Outcome = { kind: "duplicate" };

export async function applyCommands(
  trx: Knex.Transaction,
  works: readonly (readonly Command[])[],
  live: readonly LiveJourney[],
  now: Date,
  notifyOthers: boolean,
  /** Contact ids known to exist (committed earlier): externalId → id. */
  known: ReadonlyMap<string, number> = new Map(),
  /** Anonymous ids known merged (committed earlier): anonymous id → contact id. */
  knownAnonymous: ReadonlyMap<string, number> = new Map(),
): Promise<Applied> {
  const outcomes = works.map((w) => w.map((): Outcome => ACCEPTED));
  const refs: Ref[] = [];
  works.forEach((w, i) => {
    const out = outcomes[i] as Outcome[];
    w.forEach((cmd, at) => {
      refs.push({ cmd, out, at, target: null });
    });
  });
  const reject = (r: Ref, field: string, message: string) => {
    r.out[r.at] = { kind: "rejected", field, message };
    r.target = null;
  };
  const active = () => refs.filter((r) => r.out[r.at]?.kind !== "rejected");

  // An alias's previousId may name an identified user: merging two users is not supported.
  const aliases = refs.filter((r) => r.cmd.type === "alias" && r.cmd.merge !== r.cmd.userId);
  if (aliases.length > 0) {
    const identified = await existingExternalIds(
      trx,
      aliases.map((r) => r.cmd.merge ?? ""),
    );
    for (const r of aliases) {
      if (identified.has(r.cmd.merge ?? "")) {
        reject(r, "previousId", "is an identified user; only anonymous profiles merge into a user");
      }
    }
  }
  const mergeOf = (c: Command) => (c.merge !== null && c.merge !== c.userId ? c.merge : null);

  // Phase 1: anonymous ids, locked; merges decided in call order (the first user wins). An id
  // this process saw merged needs neither: a merge is final, so its calls go to its contact
  // and a second user naming it changes nothing (an alias still checks, below).
  const anonIds = new Set<string>();
  for (const { cmd } of active()) {
    if (cmd.userId === null && cmd.anonymousId !== null && !knownAnonymous.has(cmd.anonymousId)) {
      anonIds.add(cmd.anonymousId);
    }
    const m = mergeOf(cmd);
    if (m !== null && (cmd.type === "alias" || !knownAnonymous.has(m))) anonIds.add(m);
  }
  const anon = await lockAnonymous(trx, [...anonIds], now);
  const pending = new Map<string, string>();
  for (const r of active()) {
    const m = mergeOf(r.cmd);
    const row = m === null ? undefined : anon.get(m);
    if (m === null || !row || row.contactId !== null || r.cmd.userId === null) continue;
    const claimed = pending.get(m);
    if (claimed === undefined) pending.set(m, r.cmd.userId);
    else if (claimed !== r.cmd.userId && r.cmd.type === "alias") {
      reject(r, "previousId", "is merged into another user in this batch");
    }
  }
  for (const r of active()) {
    const { cmd } = r;
    if (cmd.userId !== null) r.target = { kind: "user", userId: cmd.userId };
    else if (cmd.anonymousId !== null) {
      const merged = anon.get(cmd.anonymousId)?.contactId ?? knownAnonymous.get(cmd.anonymousId);
      const to = pending.get(cmd.anonymousId);
      r.target =
        merged !== undefined && merged !== null
          ? { kind: "contact", id: merged }
          : to !== undefined
            ? { kind: "user", userId: to }
            : { kind: "anon", anonymousId: cmd.anonymousId };
    }
  }

  // Phase 2: contacts. A new contact is created with its whole profile: this group's changes
  // over the anonymous profiles merging into it.
  const fills = new Map<string, ProfileRow>();
  for (const [anonymousId, userId] of pending) {
    const profile = anon.get(anonymousId)?.profile;
    if (!profile) continue;
    const prev = fills.get(userId);
    fills.set(userId, prev ? mergeProfiles(prev, profile) : profile);
  }
  const userChanges = new Map<string, ProfileRow>();
  const users = new Set<string>();
  for (const r of active()) {
    if (r.target?.kind !== "user") continue;
    users.add(r.target.userId);
    if (!r.cmd.profile) continue;
    const prev = userChanges.get(r.target.userId);
    userChanges.set(r.target.userId, prev ? mergeProfiles(prev, r.cmd.profile) : r.cmd.profile);
  }
  // Contacts this process saw committed need no lookup (RememberedIds, writer.ts); the rest are
  // found or created.
  const resolved = new Map<string, ResolvedContact>();
  const unknown: WantedContact[] = [];
  for (const userId of users) {
    const id = known.get(userId);
    if (id !== undefined) {
      resolved.set(userId, { id, created: false });
      continue;
    }
    const fill = fills.get(userId);
    const change = userChanges.get(userId);
    const profile = fill && change ? mergeProfiles(fill, change) : (change ?? fill);
    unknown.push(
      profile
        ? { externalId: userId, create: true, profile }
        : { externalId: userId, create: true },
    );
  }
  for (const [userId, c] of await resolveContacts(trx, unknown, now)) resolved.set(userId, c);
  const contactOf = (t: Target): number | null => {
    if (t.kind === "contact") return t.id;
    if (t.kind === "anon") return null;
    const c = resolved.get(t.userId);
    // resolveContacts creates every user it is given; missing means it was deleted meanwhile.
    if (!c) throw new Error(`contact ${t.userId} vanished during ingest`);
    return c.id;
  };
  for (const r of active()) {
    const m = mergeOf(r.cmd);
    const row = m === null ? undefined : anon.get(m);
    if (r.cmd.type !== "alias" || !row || row.contactId === null || r.target === null) continue;
    if (row.contactId !== contactOf(r.target)) {
      reject(r, "previousId", "is already merged into another user");
    }
  }

  // Merges: the anonymous ids point at their contact, and their events move to it as new rows.
  const merged = new Map<string, number>();
  for (const [anonymousId, userId] of pending) {
    const id = contactOf({ kind: "user", userId });
    if (id !== null) merged.set(anonymousId, id);
  }
  await markMerged(
    trx,
    [...merged].map(([anonymousId, contactId]) => ({ anonymousId, contactId })),
    now,
  );
  const moved = asContactEvents(await takeAnonymousEvents(trx, [...merged.keys()]), merged);

  // Phase 3: events, the calls' and the moved ones together.
  const contactEvents: NewEvent[] = [];
  const anonEvents: AnonymousEvent[] = [];
  const eventRefs: { ref: Ref; key: string; anonymous: boolean }[] = [];
  for (const r of active()) {
    const ev = r.cmd.event;
    if (!ev || !r.target) continue;
    const contactId = contactOf(r.target);
    if (contactId !== null) {
      contactEvents.push({ contactId, ...ev });
      eventRefs.push({ ref: r, key: `${contactId}\u0000${ev.messageId}`, anonymous: false });
    } else if (r.target.kind === "anon") {
      anonEvents.push({ anonymousId: r.target.anonymousId, ...ev });
      eventRefs.push({
        ref: r,
        key: `${r.target.anonymousId}\u0000${ev.messageId}`,
        anonymous: true,
      });
    }
  }
  const stored = await insertEvents(trx, [...contactEvents, ...moved], now);
  const storedKeys = new Set(stored.map((e) => `${e.contactId}\u0000${e.messageId}`));
  const anonStored = await insertAnonymousEvents(trx, anonEvents, now);
  for (const { ref, key, anonymous } of eventRefs) {
    const keys = anonymous ? anonStored : storedKeys;
    // The first call with a key takes it; a repeat in the same group is a duplicate.
    ref.out[ref.at] = keys.delete(key) ? ACCEPTED : DUPLICATE;
  }

  // Profiles of ids still anonymous wait in anonymous_ids until their merge.
  const anonProfiles = new Map<string, ProfileRow>();
  for (const r of active()) {
    if (r.target?.kind !== "anon" || !r.cmd.profile) continue;
    const id = r.target.anonymousId;
    const prev = anonProfiles.get(id) ?? anon.get(id)?.profile ?? emptyProfile();
    anonProfiles.set(id, mergeProfiles(prev, r.cmd.profile));
  }
  await saveAnonymousProfiles(trx, anonProfiles);

  // Phases 4 and 5: wake-ups and enrollments.
  const woken = await wakeWaiting(
    trx,
    stored.map((e) => e.contactId),
    stored.map((e) => e.name),
    now,
  );
  const enrolled = await enroll(trx, entriesForEvents([...live], stored), now);

  // Phase 6: profile changes to contacts that existed before this transaction.
  const changes = new Map<number, ContactChange>();
  for (const r of active()) {
    if (!r.cmd.profile || !r.target || r.target.kind === "anon") continue;
    if (r.target.kind === "user" && resolved.get(r.target.userId)?.created) continue;
    const id = contactOf(r.target);
    if (id === null) continue;
    const prev = changes.get(id);
    changes.set(id, {
      id,
      change: prev ? mergeProfiles(prev.change, r.cmd.profile) : r.cmd.profile,
    });
  }
  for (const [userId, fill] of fills) {
    const c = resolved.get(userId);
    if (!c || c.created) continue;
    const change = changes.get(c.id)?.change ?? emptyProfile();
    // Consent and groups from the anonymous profile merge by their own rules; fill covers the
    // scalars and attributes the contact does not have.
    changes.set(c.id, {
      id: c.id,
      fill,
      change: {
        ...change,
        consent: mergeConsent(fill.consent, change.consent),
        group_ids: unionGroups(fill.group_ids, change.group_ids),
      },
    });
  }
  await updateContacts(trx, [...changes.values()], now);

  if (notifyOthers && (enrolled.length > 0 || woken > 0)) await notifyDue(trx);
  const contacts = new Map<string, number>();
  for (const [userId, c] of resolved) contacts.set(userId, c.id);
  const anonymous = new Map(merged);
  for (const [id, row] of anon) if (row.contactId !== null) anonymous.set(id, row.contactId);
  return { outcomes, contacts, anonymous, events: stored.length, enrolled: enrolled.length, woken };
}
