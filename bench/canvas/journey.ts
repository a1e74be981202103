import type { Journey } from "../../engine/index.ts";

/**
 * A generated journey of exactly `size` nodes, shaped like a long drip: a trigger, then blocks
 * of wait → send → branch (purchased within a day? yes: exit, no: next block), closed by a
 * last wait, send and exit. Positions snake across a grid the way a marketer would arrange a
 * long journey; `positions: false` leaves them out so the editor lays it out with elkjs.
 */
export function generatedJourney(id: string, size: number, positions: boolean): Journey {
  const nodes: Record<string, unknown>[] = [];
  const edges: { from: string; to: string; path?: string }[] = [];
  const COLS = 20;
  const place = (node: Record<string, unknown>) => {
    const i = nodes.length;
    const row = Math.floor(i / COLS);
    const col = row % 2 === 0 ? i % COLS : COLS - 1 - (i % COLS);
    nodes.push(positions ? { ...node, position: { x: col * 280, y: row * 150 } } : node);
  };
  place({ id: "start", type: "trigger", trigger: { kind: "event", event: "signed_up" } });
  let prev = "start";
  let prevPath: string | undefined;
  const link = (to: string) => {
    edges.push(prevPath ? { from: prev, to, path: prevPath } : { from: prev, to });
  };
  const blocks = Math.floor((size - 4) / 4);
  for (let b = 0; b < blocks; b++) {
    const wait = `wait${b}`;
    const send = `send${b}`;
    const branch = `bought${b}`;
    const exit = `exit${b}`;
    place({ id: wait, type: "wait", wait: { kind: "duration", duration: "P1D" } });
    link(wait);
    place({
      id: send,
      type: "send",
      send: {
        channel: "sms",
        category: "promotional",
        template: `Day ${b + 1}: {{ user.firstName }}, 20% off your next order`,
      },
    });
    edges.push({ from: wait, to: send });
    place({
      id: branch,
      type: "branch",
      branch: { kind: "event", event: "purchased", within: "P1D" },
    });
    edges.push({ from: send, to: branch });
    place({ id: exit, type: "exit" });
    edges.push({ from: branch, to: exit, path: "yes" });
    prev = branch;
    prevPath = "no";
  }
  place({ id: "lastWait", type: "wait", wait: { kind: "duration", duration: "P3D" } });
  link("lastWait");
  prevPath = undefined;
  place({
    id: "lastSend",
    type: "send",
    send: { channel: "sms", category: "promotional", template: "Last call: your offer ends today" },
  });
  edges.push({ from: "lastWait", to: "lastSend" });
  while (nodes.length < size) {
    const idx = nodes.length;
    place({ id: `end${idx}`, type: "exit" });
    if (idx === size - 1 || nodes.length === size)
      edges.push({ from: "lastSend", to: `end${idx}` });
  }
  return {
    format: "waymark/journey@1",
    id,
    name: `Bench ${size} nodes${positions ? "" : " (no positions)"}`,
    nodes,
    edges,
  } as unknown as Journey;
}
