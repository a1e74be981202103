/**
 * The socket.io messages the console receives, mirroring server/realtime/protocol.ts (the client
 * does not import server code). Journey rooms push per-node counts, contact rooms timeline rows.
 */
import type { TimelineRow } from "../api.ts";

export type Subscription = { journey: string } | { contact: number };

export type CountsPayload =
  | { journeyId: string; absolute: true; counts: Record<string, number>; at: string }
  | { journeyId: string; absolute?: false; deltas: Record<string, number>; at: string };

export interface TimelinePayload {
  contactId: number;
  enrollmentId: number;
  journeyId: string;
  entry: TimelineRow;
}

export type Ack =
  | { ok: true; room: string }
  | { ok: false; error: { code: string; message: string } };

export interface ServerToClient {
  counts(payload: CountsPayload): void;
  timeline(payload: TimelinePayload): void;
}

export interface ClientToServer {
  subscribe(payload: Subscription, ack: (result: Ack) => void): void;
  unsubscribe(payload: Subscription): void;
}

/** How fresh a live view is: pushed over the socket, or re-fetched on a timer. */
export type LiveMode = "connecting" | "live" | "polling";
