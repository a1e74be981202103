import { useEffect, useRef, useState } from "react";
import type { LiveMode, ServerToClient, Subscription } from "./protocol.ts";
import { liveSocket } from "./socket.ts";

/** How often a view re-fetches over REST while the socket is down. */
export const POLL_MS = 5_000;
/** How long to wait for the socket before starting to poll. */
const CONNECT_GRACE_MS = 3_000;

type EventName = keyof ServerToClient;

/**
 * Subscribes to one room and hands its pushes to `onPush`; while the socket is not connected
 * (or the server has no realtime endpoint, or refuses the room) it calls `poll` every 5 s
 * instead. Re-subscribes after every reconnect, because a new connection has no rooms.
 * Returns how the view is kept fresh, for a "Live" / "Refreshing every 5 s" hint.
 */
export function useLive<E extends EventName>(
  subscription: Subscription | null,
  event: E,
  onPush: ServerToClient[E],
  poll: () => void,
): LiveMode {
  const [mode, setMode] = useState<LiveMode>("connecting");
  // Latest callbacks in refs: the socket wiring depends only on the room.
  const push = useRef(onPush);
  const refetch = useRef(poll);
  push.current = onPush;
  refetch.current = poll;
  const key = subscription ? JSON.stringify(subscription) : null;

  useEffect(() => {
    if (key === null) return;
    const sub = JSON.parse(key) as Subscription;
    const socket = liveSocket();
    let timer: ReturnType<typeof setInterval> | null = null;
    let disposed = false;
    const startPolling = () => {
      if (disposed) return;
      setMode("polling");
      timer ??= setInterval(() => refetch.current(), POLL_MS);
    };
    const stopPolling = () => {
      if (timer !== null) clearInterval(timer);
      timer = null;
    };
    const subscribe = () => {
      socket.emit("subscribe", sub, (ack) => {
        if (disposed) return;
        if (!ack.ok) return startPolling();
        stopPolling();
        setMode("live");
        // Pushes may have been missed while disconnected: catch up once.
        refetch.current();
      });
    };
    const listener = ((...args: unknown[]) =>
      (push.current as (...a: unknown[]) => void)(...args)) as ServerToClient[E];
    // socket.io's typed `on` wants the exact listener type per event name.
    (socket.on as (e: string, l: unknown) => void)(event, listener);
    socket.on("connect", subscribe);
    socket.on("disconnect", startPolling);
    socket.on("connect_error", startPolling);
    if (socket.connected) subscribe();
    const grace = setTimeout(() => {
      if (!socket.connected) startPolling();
    }, CONNECT_GRACE_MS);

    return () => {
      disposed = true;
      clearTimeout(grace);
      stopPolling();
      (socket.off as (e: string, l: unknown) => void)(event, listener);
      socket.off("connect", subscribe);
      socket.off("disconnect", startPolling);
      socket.off("connect_error", startPolling);
      if (socket.connected) socket.emit("unsubscribe", sub);
    };
  }, [key, event]);

  return key === null ? "connecting" : mode;
}
