/**
 * The socket.io protocol between the console and the server, and between server processes.
 *
 * Terminology:
 * - **room**: `journey:<id>` (per-node counts) or `contact:<id>` (timeline entries).
 * - **flush**: what one publisher accumulated over at most `flushMs` (250 ms): count deltas per
 *   journey and timeline entries in order. A flush is the unit sent between processes.
 * - **absolute counts**: users on each node right now, read from `enrollments`; a subscriber
 *   gets them first, then deltas to apply on top.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Server, Socket } from "socket.io";
import { z } from "zod";
import type { AccessRole, Operator } from "../auth/sessions.ts";
import { mayAccess } from "../http/auth.ts";

/** `subscribe` / `unsubscribe` payload: one zod schema gives the type and the validation. */
export const Subscription = z.union([
  z.strictObject({ journey: z.string().min(1).max(200) }),
  // Contact ids are the numeric `contacts.id` the log rows carry (the inspector shows it).
  z.strictObject({ contact: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
]);
export type Subscription = z.infer<typeof Subscription>;

export type RoomKind = "journey" | "contact";

export const journeyRoom = (journeyId: string) => `journey:${journeyId}`;
export const contactRoom = (contactId: number) => `contact:${contactId}`;
/** Sockets of roles that see masked data follow a contact here: their entries are masked. */
export const maskedContactRoom = (contactId: number) => `contact:${contactId}:masked`;

/**
 * Who may join which room. Mirrors the REST access of the same data: journey stats and the
 * contact inspector are both `access: "any"`, so support staff (who read timelines for a living)
 * and every other signed-in role may subscribe to both.
 */
export const ROOM_ACCESS: Record<RoomKind, "any" | readonly AccessRole[]> = {
  journey: "any",
  contact: "any",
};

export function mayJoin(operator: Operator, kind: RoomKind): boolean {
  const access = ROOM_ACCESS[kind];
  return mayAccess(operator.role, access === "any" ? undefined : access);
}

/** Same `{ code, message }` as the REST error body, so the console handles both alike. */
export type Ack =
  | { ok: true; room: string }
  | { ok: false; error: { code: string; message: string } };

export type CountsPayload =
  | {
      journeyId: string;
      absolute: true;
      /** Active enrollments per node, as of `at`. */
      counts: Record<string, number>;
      at: string;
    }
  | {
      journeyId: string;
      absolute: false;
      /** Add to the counts held; nodes without a change are absent. */
      deltas: Record<string, number>;
      at: string;
    };

/** One timeline entry, in the shape `GET /api/contacts/:id/journeys` returns (without the
 * log row id and message status, which do not exist yet when the ticker commits). */
export interface TimelineEntry {
  at: string;
  nodeId: string;
  type: string;
  reason: string | null;
  detail: string;
  [key: string]: unknown;
}

export interface TimelinePayload {
  contactId: number;
  enrollmentId: number;
  journeyId: string;
  entry: TimelineEntry;
}

/** What one publisher sends between processes per flush (see publisher.ts). */
export interface Flush {
  at: string;
  deltas: Record<string, Record<string, number>>;
  timeline: TimelinePayload[];
}

export interface ClientToServerEvents {
  subscribe(payload: unknown, ack?: (result: Ack) => void): void;
  unsubscribe(payload: unknown, ack?: (result: Ack) => void): void;
}

export interface ServerToClientEvents {
  counts(payload: CountsPayload): void;
  timeline(payload: TimelinePayload): void;
}

export interface InterServerEvents {
  flush(flush: Flush): void;
}

export interface SocketData {
  operator: Operator;
  /** The handshake's credentials, as `authenticate` reads them: re-checked on each subscribe. */
  credentials: IncomingHttpHeaders;
}

export type RealtimeServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type RealtimeSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
