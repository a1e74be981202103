import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A webhook SMS provider on loopback that does NOT deduplicate: every request is accepted with
 * 200 and counted per `Idempotency-Key`, so a key counted twice is a person who got the same
 * message twice. `firstAt` is when each key was first accepted (performance.now()).
 */
export interface CountingProvider {
  url: string;
  accepted: Map<string, number>;
  firstAt: Map<string, number>;
  bodies: Map<string, string>;
  requests(): number;
  close(): Promise<void>;
}

export async function startCountingProvider(): Promise<CountingProvider> {
  const accepted = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const bodies = new Map<string, string>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => {
      raw += d;
    });
    req.on("end", () => {
      requests++;
      const key = String(req.headers["idempotency-key"] ?? "");
      accepted.set(key, (accepted.get(key) ?? 0) + 1);
      if (!firstAt.has(key)) firstAt.set(key, performance.now());
      try {
        const body = JSON.parse(raw) as { body?: string };
        bodies.set(key, body.body ?? "");
      } catch {
        // counted all the same
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: `p-${requests}` }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    accepted,
    firstAt,
    bodies,
    requests: () => requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
