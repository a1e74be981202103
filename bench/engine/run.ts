import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { transition } from "xstate";
import {
  advance,
  type ContactView,
  compile,
  compileFresh,
  type EnrollmentSnapshot,
  type Journey,
  parseJourney,
} from "../../engine/index.ts";
import { DEFAULT_POLICY } from "../../engine/rules/index.ts";
import { bigJourney } from "../../tests/engine/helpers.ts";
import { writeSection } from "../lib/report.ts";

/**
 * Engine benchmarks (one core: Node runs this on one thread).
 * - advance: the ticker's unit of work. Snapshot JSON string in → advance → snapshot JSON string
 *   and effects JSON out, on the cart-reminder journey (enter; wake after the 1 h wait and send;
 *   wake at the engagement deadline → cooldown → exit), contacts in America/New_York with a send
 *   history, the default policy (quiet hours, caps, streak rule all evaluated).
 * - XState transition: `transition(machine, …)` vs `machine.transition(…, cachedScope)`.
 * - compile: a 200-node journey, uncached.
 * `--quick` runs fewer iterations (CI smoke).
 */
const quick = process.argv.includes("--quick");
// Other processes on a shared 2-core box skew every number here: record the load with them.
const loadBefore = loadavg()[0] ?? 0;
const root = resolve(import.meta.dirname, "../..");

function load(name: string): Journey {
  const r = parseJourney(
    JSON.parse(readFileSync(resolve(root, "examples/journeys", `${name}.json`), "utf8")),
  );
  if (!r.ok) throw new Error(`${name} is invalid`);
  return r.journey;
}

const journey = load("cart-reminder");
const compiled = compile({ versionId: "bench-v1", journey });
const ports = { random: () => 0.5 };
const T0 = Date.parse("2025-03-03T15:00:00Z"); // 10:00 New York: inside the sending window

function contactFor(i: number): ContactView {
  return {
    id: `contact-${i}`,
    timezone: "America/New_York",
    phone: "+12125550100",
    locale: "en",
    attributes: { firstName: "Ann", orderCount: 3 },
    consent: {
      sms: { promotional: { granted: true, source: "signup", at: T0 - 90 * 86_400_000 } },
    },
    optOuts: [],
    recentSends: [
      {
        at: T0 - 20 * 86_400_000,
        channel: "sms",
        category: "promotional",
        opened: true,
        journeyId: "other",
        nodeId: "x",
      },
      {
        at: T0 - 10 * 86_400_000,
        channel: "sms",
        category: "transactional",
        opened: false,
        journeyId: "other",
        nodeId: "y",
      },
    ],
    cooldowns: [],
  };
}

type Stats = { steps: number; ms: number; bytes: number[] };

/** Runs whole enrollments; every call is one step: parse snapshot, advance, stringify. */
function runSteps(enrollments: number): Stats {
  let steps = 0;
  const bytes: number[] = [];
  const start = performance.now();
  for (let i = 0; i < enrollments; i++) {
    const contact = contactFor(i % 1000);
    let input = {
      now: T0,
      contact,
      policy: DEFAULT_POLICY,
      event: { name: "cart_abandoned", at: T0 },
    };
    let text: string | null = null;
    for (;;) {
      const snapshot = text === null ? null : (JSON.parse(text) as EnrollmentSnapshot);
      const r = advance(compiled, snapshot, input, ports);
      text = JSON.stringify(r.snapshot);
      JSON.stringify(r.effects);
      steps++;
      if (i === 0) bytes.push(Buffer.byteLength(text));
      if (r.status !== "active" || r.wakeAt === null) break;
      input = { now: r.wakeAt, contact, policy: DEFAULT_POLICY, event: undefined as never };
      delete (input as { event?: unknown }).event;
    }
  }
  return { steps, ms: performance.now() - start, bytes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

// Warm up the JIT, luxon's zone caches and the template cache.
runSteps(quick ? 200 : 2000);
const rounds = quick ? 2 : 5;
const perRound = quick ? 1000 : 10_000;
const rates: number[] = [];
let bytes: number[] = [];
let stepsPerEnrollment = 0;
for (let r = 0; r < rounds; r++) {
  const s = runSteps(perRound);
  rates.push((s.steps / s.ms) * 1000);
  bytes = s.bytes;
  stepsPerEnrollment = s.steps / perRound;
}
const stepsPerSec = median(rates);

// XState transition cost alone: its public transition() (what a first move per compiled
// version costs) vs the remembered move the engine makes every other time.
const ctx = compiled.machine.resolveState({
  value: "wait1",
  context: {
    key: "k",
    contactId: "c",
    enteredAt: 0,
    node: "wait1",
    at: 0,
    wakeAt: null,
    visits: { wait1: 1 },
    sends: {},
  },
});
const event = { type: "go." as const, at: 1, context: ctx.context };
const N = quick ? 20_000 : 200_000;
for (let i = 0; i < 5000; i++) compiled.moves.next("wait1", event);
let t = performance.now();
for (let i = 0; i < N; i++) transition(compiled.machine, ctx, event);
const viaHelperUs = ((performance.now() - t) * 1000) / N;
t = performance.now();
for (let i = 0; i < N; i++) compiled.moves.next("wait1", event);
const rememberedUs = ((performance.now() - t) * 1000) / N;

// 200-node compile, uncached.
const big = bigJourney(200);
const compileMs: number[] = [];
for (let i = 0; i < (quick ? 5 : 30); i++) {
  const s = performance.now();
  compileFresh({ versionId: `big-${i}`, journey: big });
  compileMs.push(performance.now() - s);
}

const fmt = (n: number, d = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const table = `
| Measure | Result | Target |
| --- | --- | --- |
| advance steps/s, one core (snapshot JSON in → effects + snapshot JSON out; cart-reminder, ${fmt(stepsPerEnrollment, 1)} steps per enrollment; median of ${rounds} × ${fmt(perRound)} enrollments) | ${fmt(stepsPerSec)} | ≥ 30,000 |
| µs per step | ${fmt(1000_000 / stepsPerSec, 1)} | |
| snapshot bytes after each step (enter, send, end) | ${bytes.join(", ")} | small |
| XState \`transition(machine, …)\` per transition | ${fmt(viaHelperUs, 2)} µs | |
| remembered move (engine path after the first) | ${fmt(rememberedUs, 3)} µs | |
| compile 200-node journey (median of ${compileMs.length}, uncached) | ${fmt(median(compileMs), 2)} ms | < 50 ms |
| 1-min load average before / after (2 cores; other processes competing) | ${fmt(loadBefore, 1)} / ${fmt(loadavg()[0] ?? 0, 1)} | |
`;
console.log(table);
writeSection("engine", "Engine", table);
