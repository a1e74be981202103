/**
 * V8 flags every long-running Waymark process starts with: `npm start` and the `waymark` bin
 * (its shebang) pass them, and the benchmarks start their worker processes with them, so what is
 * measured is what runs. tests/foundation/node-flags.test.ts keeps the three in step.
 *
 * `--max-semi-space-size=64` (MiB; Node 20's default is 16): a ticker batch allocates a few
 * megabytes of short-lived objects per thousand users (parsed snapshots, contact views, effects,
 * the row sets' JSON), which with the default young generation meant a scavenge every few
 * batches' worth of users and objects promoted to the old generation only to die there. The
 * larger nursery lets them die young. Measured with bench/ticker/profile.ts (docs/SCALING.md,
 * "Where a step's cost goes"); it costs up to ~100 MiB more resident memory per process, and only
 * under allocation pressure: V8 grows the semi-spaces up to the limit as it needs them.
 */
export const NODE_FLAGS = ["--max-semi-space-size=64"] as const;
