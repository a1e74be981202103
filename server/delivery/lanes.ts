/**
 * A lane is one channel's share of a delivery worker: its own concurrency, so a provider that
 * hangs on SMS never holds an email slot, and its own idea of how long a call should take.
 *
 * Why calls stop counting once they are slow: with one fixed pool of 10 slots, 40% of requests
 * hanging for a 10 s timeout left the pool full of hung calls, and throughput fell from 250/s
 * to ~10/s (issue 12). Waiting them out shorter would turn every slow acceptance into an
 * unknown outcome. Instead a call that has run past `slowAfterMs` — four times the lane's recent
 * p95 answer time, at least 50 ms, at most the timeout — gives its slot to the next message and
 * runs on to its own answer or timeout. `maxOpen` bounds what all of that can hold (sockets,
 * memory, the provider's patience). Healthy calls keep the lane at `limit` in flight, however
 * many hung ones are parked beside them.
 *
 * The breaker: when BREAKER_WINDOW calls in a row failed (no answer, 429/5xx), counting only
 * calls that started after the provider last answered well, the lane stops claiming for a
 * cool-down (1 s, doubling to 30 s), then lets one call through to probe. A provider that is
 * down then costs neither attempts (messages stay queued, not retried into failure) nor
 * sockets; one that only hangs sometimes never trips it, not even when the calls it hung on
 * time out together after a burst (they started before its last good answer).
 */

const SAMPLES = 100;
const MIN_SLOW_MS = 50;
const RESORT_EVERY = 10;
const BREAKER_WINDOW = 20;
const COOL_DOWN_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];

export type CallOutcome = "ok" | "failed";

export interface LaneOptions {
  /** Calls in flight at normal latency. */
  limit: number;
  /** Calls open at once, slow ones included. */
  maxOpen: number;
  timeoutMs: number;
  /** Called whenever a slot frees (a call ended or became slow, the breaker half-opened). */
  onFree: () => void;
  clock?: () => number;
}

export interface LaneTicket {
  /** The provider call starts now (after any rate-limit wait): the slow clock starts. */
  calling(): void;
  /**
   * The attempt ended; `outcome` null when no provider was called (no address, say),
   * `answeredMs` the call's duration when the provider answered it.
   */
  done(outcome: CallOutcome | null, answeredMs?: number): void;
}

export class Lane {
  private active = 0;
  private slow = 0;
  private readonly samples: number[] = [];
  private next = 0;
  private slowCache: number | null = null;
  private sinceSorted = 0;
  private failedInRow = 0;
  private lastOkAt = Number.NEGATIVE_INFINITY;
  private openUntil = 0;
  private trips = 0;
  private probing = false;
  private readonly clock: () => number;

  constructor(private readonly options: LaneOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /** How many more messages the lane can take now. */
  free(): number {
    const { limit, maxOpen } = this.options;
    const room = Math.max(0, Math.min(limit - this.active, maxOpen - this.active - this.slow));
    if (this.openUntil === 0) return room;
    if (this.clock() < this.openUntil || this.probing) return 0;
    return Math.min(room, 1);
  }

  /**
   * How many messages to claim for the lane now: its free slots once at least half the lane is
   * free, or whatever is free when no call is in flight that could free more. Why not every
   * free slot at once: a slot frees per answer, and claiming for each one alone made the claim
   * one statement per message (issue 18: ~1,000 msgs/s, half of the database's CPU in claims).
   */
  wants(): number {
    const free = this.free();
    return free * 2 >= this.options.limit || this.active === 0 ? free : 0;
  }

  /** Calls open, slow ones included (for stop() and the metrics). */
  open(): number {
    return this.active + this.slow;
  }

  /** Milliseconds until the breaker lets a probe through; 0 when closed or already due. */
  coolingMs(): number {
    return this.openUntil === 0 ? 0 : Math.max(0, this.openUntil - this.clock());
  }

  slowAfterMs(): number {
    const { timeoutMs } = this.options;
    if (this.samples.length < 10) return Math.min(timeoutMs, 1_000);
    // Sorted again only every RESORT_EVERY answers: sorting the window for every call was a
    // few % of a busy worker's CPU (issue 18), and the p95 of 100 barely moves in 10.
    if (this.slowCache === null || this.sinceSorted >= RESORT_EVERY) {
      const sorted = [...this.samples].sort((a, b) => a - b);
      const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? timeoutMs;
      this.slowCache = Math.min(timeoutMs, Math.max(MIN_SLOW_MS, 4 * p95));
      this.sinceSorted = 0;
    }
    return this.slowCache;
  }

  /** Takes a slot for one message; the caller must call `done` exactly once. */
  admit(): LaneTicket {
    this.active++;
    const probe = this.openUntil !== 0;
    if (probe) this.probing = true;
    const startedAt = this.clock();
    let isSlow = false;
    let finished = false;
    let timer: NodeJS.Timeout | null = null;
    return {
      calling: () => {
        if (finished || timer) return;
        timer = setTimeout(() => {
          timer = null;
          if (finished) return;
          isSlow = true;
          this.active--;
          this.slow++;
          this.options.onFree();
        }, this.slowAfterMs());
        timer.unref?.();
      },
      done: (outcome, answeredMs) => {
        if (finished) return;
        finished = true;
        if (timer) clearTimeout(timer);
        if (isSlow) this.slow--;
        else this.active--;
        if (answeredMs !== undefined) this.sample(answeredMs);
        if (outcome) this.record(outcome, probe, startedAt);
        else if (probe) this.probing = false;
        this.options.onFree();
      },
    };
  }

  private sample(ms: number): void {
    if (this.samples.length < SAMPLES) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % SAMPLES;
    this.sinceSorted++;
  }

  /** Any answer closes the breaker; while open, only the probe's failure opens it again. */
  private record(outcome: CallOutcome, probe: boolean, startedAt: number): void {
    if (probe) this.probing = false;
    if (outcome === "ok") {
      this.failedInRow = 0;
      this.openUntil = 0;
      this.trips = 0;
      this.lastOkAt = this.clock();
      return;
    }
    if (!probe && startedAt < this.lastOkAt) return; // older than the last good answer
    this.failedInRow++;
    const open = this.openUntil !== 0;
    if ((open && probe) || (!open && this.failedInRow >= BREAKER_WINDOW)) {
      const coolDown = COOL_DOWN_MS[Math.min(this.trips, COOL_DOWN_MS.length - 1)] ?? 30_000;
      this.trips++;
      this.openUntil = this.clock() + coolDown;
      const wake = setTimeout(() => this.options.onFree(), coolDown + 1);
      wake.unref?.();
    }
  }
}
