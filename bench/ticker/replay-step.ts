import { readFileSync, writeFileSync } from "node:fs";
import type { Knex } from "knex";
import type { ClaimedEnrollment } from "../../server/runtime/sql/claim.ts";
import { type BatchWrites, type StepDeps, stepBatch } from "../../server/runtime/step-batch.ts";

/**
 * The replay floor (issue 18): the ticker's own claim, load and write statements carrying
 * byte-for-byte the rows the engine wrote for the same step, with no engine work.
 *
 * `recordSample` runs the real engine once on a sample of users and keeps what it wrote;
 * `replayStep` then writes, for every claimed user, a sample user's rows with that user's ids
 * put in (enrollment id, contact id, the enrollment key `e<id>` wherever it occurs, as in the
 * idempotency key and the snapshot). What is not replayed exactly is text rendered from the
 * sample user's attributes (the SMS body's name and coupon): same template, same length give
 * or take a digit. The bench prints the stored bytes per row of both runs so this can be seen.
 */

type W = BatchWrites;
/** One user's share of a batch's writes, as the engine produced them. */
interface UserWrites {
  enrollmentId: number;
  contactId: number;
  enrollment: W["enrollments"][number];
  wakeups: W["wakeups"];
  finished: boolean;
  log: W["log"];
  messages: W["messages"];
}

type Path = readonly (string | number)[];
/** A leaf to rewrite per user: the enrollment key inside a string, or the contact id string. */
interface Patch {
  path: Path;
  /** The leaf split around the sample's enrollment key (`e<id>`); joined with the user's. */
  parts: string[] | null;
}

interface Sample extends UserWrites {
  /** Per top-level part (enrollment snapshot, each log row's data, each message): leaves to patch. */
  snapshotPatches: Patch[];
  logPatches: Patch[][];
  messagePatches: Patch[][];
}

/** Records the engine's writes for the batch it steps (wraps the real step). */
export function recordingStep(into: UserWrites[]): typeof stepBatch {
  return (claimed, deps) => {
    const w = stepBatch(claimed, deps);
    for (const row of claimed) {
      const enrollment = w.enrollments.find((e) => e.id === row.id);
      if (!enrollment) continue;
      into.push({
        enrollmentId: row.id,
        contactId: row.contactId,
        enrollment,
        wakeups: w.wakeups.filter((x) => x.enrollment_id === row.id),
        finished: w.finished.includes(row.id),
        log: w.log.filter((x) => x.enrollment_id === row.id),
        messages: w.messages.filter((x) => x.enrollment_id === row.id),
      });
    }
    return w;
  };
}

/**
 * Makes the users with the highest ids come due first, so the recorded sample's ids (and the
 * names rendered from them) have as many digits as most users'. resetBench undoes it.
 */
export async function sampleHighestIdsFirst(knex: Knex, sampleSize: number): Promise<void> {
  await knex.raw(
    `update enrollment_wakeups set wake_at = wake_at - interval '1 second'
      where enrollment_id in (select id from enrollments order by id desc limit ?)`,
    [sampleSize],
  );
}

export function saveSample(file: string, writes: UserWrites[]): void {
  writeFileSync(file, JSON.stringify(writes));
}

function findPatches(value: unknown, key: string, contactId: string, path: Path, out: Patch[]) {
  if (typeof value === "string") {
    if (value === contactId) out.push({ path, parts: null });
    else if (value === key || value.startsWith(`${key}:`))
      out.push({ path, parts: value.split(key) });
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) findPatches(v, key, contactId, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) findPatches(v, key, contactId, [...path, k], out);
  }
}

function patchesOf(value: unknown, s: UserWrites): Patch[] {
  const out: Patch[] = [];
  findPatches(value, `e${s.enrollmentId}`, String(s.contactId), [], out);
  return out;
}

export function loadSample(file: string): Sample[] {
  const writes = JSON.parse(readFileSync(file, "utf8")) as UserWrites[];
  if (writes.length === 0) throw new Error("replay floor: the recorded sample is empty");
  return writes.map((s) => ({
    ...s,
    snapshotPatches: patchesOf(s.enrollment.snapshot, s),
    logPatches: s.log.map((l) => patchesOf(l.data, s)),
    messagePatches: s.messages.map((m) => patchesOf(m, s)),
  }));
}

/** A copy of `root` sharing every object not on a patched path (copied with Object.assign). */
function applyPatches<T extends object>(
  root: T,
  patches: Patch[],
  key: string,
  contactId: string,
): T {
  if (patches.length === 0) return root;
  const copy = Object.assign({}, root) as Record<string | number, unknown>;
  for (const p of patches) {
    let node = copy;
    const last = p.path.length - 1;
    for (let i = 0; i < last; i++) {
      const k = p.path[i] as string | number;
      // Two patches under one parent copy it twice (the second copies the first's copy):
      // still correct, and the paths here are two or three deep and few. No arrays on them.
      const next = Object.assign({}, node[k] as object) as Record<string | number, unknown>;
      node[k] = next;
      node = next;
    }
    const parts = p.parts;
    node[p.path[last] as string | number] =
      parts === null ? contactId : parts.length === 2 ? parts[0] + key + parts[1] : parts.join(key);
  }
  return copy as T;
}

/** The replay floor's step: the sample's rows with each claimed user's ids, no engine. */
export function replayStep(samples: Sample[]): typeof stepBatch {
  return (claimed: ClaimedEnrollment[], _deps: StepDeps): BatchWrites => {
    const out: BatchWrites = {
      enrollments: [],
      wakeups: [],
      finished: [],
      log: [],
      messages: [],
      cooldowns: [],
      optOuts: [],
      conversions: [],
      attributes: [],
      moves: [],
    };
    for (let i = 0; i < claimed.length; i++) {
      const row = claimed[i] as ClaimedEnrollment;
      const s = samples[i % samples.length] as Sample;
      const id = row.id;
      const contact = row.contactId;
      const key = `e${id}`;
      const contactId = String(contact);
      const enrollment = Object.assign({}, s.enrollment);
      enrollment.id = id;
      enrollment.snapshot = applyPatches(s.enrollment.snapshot, s.snapshotPatches, key, contactId);
      out.enrollments.push(enrollment);
      for (const w of s.wakeups) out.wakeups.push({ enrollment_id: id, wake_at: w.wake_at });
      if (s.finished) out.finished.push(id);
      for (let j = 0; j < s.log.length; j++) {
        const l = Object.assign({}, s.log[j] as W["log"][number]);
        l.enrollment_id = id;
        l.contact_id = contact;
        l.data = applyPatches(l.data, s.logPatches[j] as Patch[], key, contactId);
        out.log.push(l);
      }
      for (let j = 0; j < s.messages.length; j++) {
        const sampleMessage = s.messages[j] as W["messages"][number];
        const patches = s.messagePatches[j] as Patch[];
        const m = patches.length
          ? applyPatches(sampleMessage, patches, key, contactId)
          : Object.assign({}, sampleMessage);
        m.enrollment_id = id;
        m.contact_id = contact;
        out.messages.push(m);
      }
    }
    return out;
  };
}
