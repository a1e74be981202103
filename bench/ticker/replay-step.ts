import { readFileSync, writeFileSync } from "node:fs";
import type { Knex } from "knex";
import type { ClaimedEnrollment } from "../../server/runtime/sql/claim.ts";
import { type BatchWrites, type StepDeps, stepBatch } from "../../server/runtime/step-batch.ts";

/**
 * The replay floor (issue 18): the ticker's own claim, load and write statements carrying
 * byte-for-byte the rows the engine wrote for the same step, with no engine work.
 *
 * `recordingStep` runs the real engine once on a sample of users and keeps what it wrote;
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
/** What a replayed user writes: the sample's rows with the user's ids. */
type UserRows = Pick<UserWrites, "enrollment" | "wakeups" | "log" | "messages">;
type Builder = (id: number, contact: number, contactText: string, key: string) => UserRows;

type Path = readonly (string | number)[];
/** A value in the sample that is the sample user's own, and what the replayed user's is. */
type Leaf =
  | { kind: "id" }
  | { kind: "contact" }
  | { kind: "contactText" }
  /** A string holding the enrollment key (`e<id>`), split around it. */
  | { kind: "key"; parts: string[] };
interface Patch {
  path: Path;
  leaf: Leaf;
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

function findPatches(value: unknown, s: UserWrites, path: Path, out: Patch[]): void {
  const key = `e${s.enrollmentId}`;
  const name = path[path.length - 1];
  if (typeof value === "number") {
    if ((name === "id" || name === "enrollment_id") && value === s.enrollmentId)
      out.push({ path, leaf: { kind: "id" } });
    else if (name === "contact_id" && value === s.contactId)
      out.push({ path, leaf: { kind: "contact" } });
  } else if (typeof value === "string") {
    if (name === "contactId" && value === String(s.contactId))
      out.push({ path, leaf: { kind: "contactText" } });
    else if (value === key || value.startsWith(`${key}:`))
      out.push({ path, leaf: { kind: "key", parts: value.split(key) } });
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) findPatches(v, s, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) findPatches(v, s, [...path, k], out);
  }
}

/**
 * JavaScript for an expression that rebuilds `value` for a replayed user: object literals
 * along the patched paths, the user's values at the patched leaves, and every untouched
 * object shared by reference (`c[i]`: they are only serialized). Compiled once per sample,
 * so a user costs a few literal allocations, not a walk or a copy of the sample.
 */
function expression(value: unknown, patches: Patch[], depth: number, pool: unknown[]): string {
  const here = patches.find((p) => p.path.length === depth);
  if (here) {
    switch (here.leaf.kind) {
      case "id":
        return "id";
      case "contact":
        return "contact";
      case "contactText":
        return "contactText";
      case "key":
        return here.leaf.parts.map((part) => JSON.stringify(part)).join(" + key + ");
    }
  }
  if (value === null || typeof value !== "object") {
    return value === undefined ? "undefined" : JSON.stringify(value);
  }
  if (patches.length === 0) {
    pool.push(value);
    return `c[${pool.length - 1}]`;
  }
  const under = (k: string | number) => patches.filter((p) => p.path[depth] === k);
  if (Array.isArray(value))
    return `[${value.map((v, i) => expression(v, under(i), depth + 1, pool)).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${expression(v, under(k), depth + 1, pool)}`)
    .join(", ")}}`;
}

function compileBuilder(s: UserWrites): Builder {
  const rows: UserRows = {
    enrollment: s.enrollment,
    wakeups: s.wakeups,
    log: s.log,
    messages: s.messages,
  };
  const patches: Patch[] = [];
  findPatches(rows, s, [], patches);
  const pool: unknown[] = [];
  const body = expression(rows, patches, 0, pool);
  // Generated from the recorded JSON only (keys and values JSON.stringify'd): no user input.
  return new Function("c", `return (id, contact, contactText, key) => (${body});`)(pool) as Builder;
}

export function loadSample(file: string): { builders: Builder[]; finished: boolean[] } {
  const writes = JSON.parse(readFileSync(file, "utf8")) as UserWrites[];
  if (writes.length === 0) throw new Error("replay floor: the recorded sample is empty");
  return { builders: writes.map(compileBuilder), finished: writes.map((s) => s.finished) };
}

/** The replay floor's step: the sample's rows with each claimed user's ids, no engine. */
export function replayStep(sample: ReturnType<typeof loadSample>): typeof stepBatch {
  const { builders, finished } = sample;
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
      const n = i % builders.length;
      const r = (builders[n] as Builder)(
        row.id,
        row.contactId,
        String(row.contactId),
        `e${row.id}`,
      );
      out.enrollments.push(r.enrollment);
      for (const w of r.wakeups) out.wakeups.push(w);
      if (finished[n]) out.finished.push(row.id);
      for (const l of r.log) out.log.push(l);
      for (const m of r.messages) out.messages.push(m);
    }
    return out;
  };
}
