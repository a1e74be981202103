import type { Knex } from "knex";
import type { Journey } from "../../engine/format/journey.ts";
import { definitionOf as nodeDefinition } from "../../engine/nodes/registry.ts";
import { DomainError } from "../domain-error.ts";
import { countSkips } from "../runtime/sql/skips.ts";
import { armSends } from "./arms.ts";
import {
  type ArmCounts,
  type Counts,
  DAYS,
  type Day,
  dailySeries,
  type Goal,
  type SendCounts,
  type SeriesPoint,
  sendNodeCounts,
  splitArmCounts,
} from "./queries.ts";
import {
  twoProportionZTest,
  type VerdictFacts,
  verdict,
  verdictFacts,
  type ZTest,
} from "./stats.ts";

/**
 * A journey's results, assembled: per send node and per split arm the counts next to their
 * rates (DOMAIN: small samples mislead, so a rate never travels without its count), the A/B
 * readout per arm against the split's first arm, and the daily series for the chart.
 */
export interface Rate {
  count: number;
  /** count / base, 4 decimals; null when the base is 0. */
  rate: number | null;
}

export interface Converted extends Rate {
  day: Day;
}

export interface SendResult {
  nodeId: string;
  label: string;
  channel: string | null;
  /** Messages exist for a node the current definition no longer has. */
  removed: boolean;
  recipients: number;
  delivered: Rate;
  clicked: Rate;
  /** Rates over recipients; null when the journey has no goal. */
  converted: Converted[] | null;
  /**
   * Conversions credited to this node's messages by last touch (the enrollment's last send
   * before its first goal event: the ticker's record, else read from the events, queries.ts);
   * null when the journey has no goal. Unlike `converted`, a conversion counts for one send only.
   */
  attributed: Rate | null;
  /**
   * The same numbers per locale variant the messages went out as ("default" = the send's own
   * content), largest first; empty when the send has no variants. They add up to the send's.
   */
  variants: VariantResult[];
}

export interface VariantResult {
  variant: string;
  recipients: number;
  delivered: Rate;
  clicked: Rate;
  converted: Converted[] | null;
  attributed: Rate | null;
}

export interface ArmResult {
  arm: string;
  percent: number | null;
  /** The control: the split's first arm, which the others are tested against. */
  control: boolean;
  /** Assigned to the arm: the base of the conversion rates and of the test. */
  assigned: number;
  /**
   * Assigned contacts who got a message from a send downstream of the arm, queued after they
   * took it: sends before the split never count for an arm. Delivered and clicked are over
   * these recipients, from the arm's own messages only.
   */
  recipients: number;
  /** The arm's own messages (not test, not canceled). */
  sent: number;
  delivered: Rate;
  clicked: Rate;
  /** Intention to treat: converted within day N of assignment, over assigned. */
  converted: Converted[] | null;
  /** Conversions credited (last touch) to the arm's own messages, over recipients; null without a goal. */
  attributed: Rate | null;
  /** Day-7 conversion vs the control; null for the control or without a goal. */
  test: ZTest | null;
  /** The verdict in English (the CSV), and as facts the console words in its language. */
  verdict: string | null;
  verdictFacts: VerdictFacts | null;
}

export interface SplitResult {
  nodeId: string;
  label: string;
  arms: ArmResult[];
}

export interface JourneyResults {
  journeyId: string;
  name: string;
  goal: { event: string; within: string } | null;
  /** Hours after the send (arms: after assignment) each day's count covers. */
  windows: { day: Day; hours: number }[];
  sends: SendResult[];
  splits: SplitResult[];
  series: SeriesPoint[];
  zone: string;
  /** Triggers that did not enter because the journey was paused with "skip new entries". */
  skippedEntries: number;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const rate = (count: number, base: number): Rate => ({
  count,
  rate: base > 0 ? round4(count / base) : null,
});

function converted(c: Counts, base: number): Converted[] | null {
  const conv = c.converted;
  return conv ? DAYS.map((day) => ({ day, ...rate(conv[day], base) })) : null;
}

const EMPTY: ArmCounts = {
  assigned: 0,
  recipients: 0,
  sent: 0,
  attributed: 0,
  delivered: 0,
  clicked: 0,
  converted: { 0: 0, 1: 0, 3: 0, 7: 0 },
};

/** The definition results are read against: the live version, else the draft. */
async function definitionOf(knex: Knex, id: string): Promise<{ name: string; journey: Journey }> {
  const row = (await knex("journeys as j")
    .leftJoin("journey_versions as v", "v.id", "j.live_version_id")
    .leftJoin("journey_versions as d", function () {
      this.on("d.journey_id", "=", "j.id").andOn("d.is_draft", "=", knex.raw("true"));
    })
    .where("j.id", id)
    .first("j.name", "v.definition as live", "d.definition as draft")) as
    | { name: string; live: Journey | null; draft: Journey | null }
    | undefined;
  const journey = row?.live ?? row?.draft;
  if (!row || !journey) throw new DomainError("not_found", "not_found", `no journey "${id}"`);
  return { name: row.name, journey };
}

export async function journeyResults(
  knex: Knex,
  journeyId: string,
  options: { zone: string; goalEvent?: string | undefined },
): Promise<JourneyResults> {
  const { name, journey } = await definitionOf(knex, journeyId);
  const settingsGoal = journey.settings?.goal;
  const goal: Goal | null = options.goalEvent
    ? { event: options.goalEvent }
    : settingsGoal
      ? { event: settingsGoal.event, where: settingsGoal.where }
      : null;
  // Asked of each node's definition: which nodes send (and on what channel), which split
  // contacts into A/B arms. A new node type declares it there, nothing here changes.
  const splitNodes = journey.nodes.flatMap((n) => {
    const arms = nodeDefinition(n).arms(n);
    return arms ? [{ id: n.id, label: n.label ?? n.id, arms }] : [];
  });
  // Sequential: PGlite has one connection, and these are three short statements.
  const byNode = await sendNodeCounts(knex, journeyId, goal);
  const byArm = await splitArmCounts(
    knex,
    journeyId,
    splitNodes.map((n) => n.id),
    armSends(journey),
    goal,
  );
  const series = await dailySeries(knex, journeyId, goal, options.zone);
  const skips = await countSkips(knex, journeyId, null);

  const sends: SendResult[] = [];
  for (const n of journey.nodes) {
    const def = nodeDefinition(n);
    if (!def.sends) continue;
    const c = byNode.get(n.id);
    sends.push(sendResult(n.id, n.label ?? n.id, def.channel(n), false, c, goal !== null));
    byNode.delete(n.id);
  }
  for (const [nodeId, c] of byNode) {
    sends.push(sendResult(nodeId, nodeId, null, true, c, goal !== null));
  }

  const splits = splitNodes.map((n): SplitResult => {
    const counted = byArm.get(n.id) ?? new Map<string, ArmCounts>();
    const names = n.arms.map((a) => a.name);
    for (const arm of counted.keys()) if (!names.includes(arm)) names.push(arm);
    const controlName = names[0] ?? "";
    const controlCounts = counted.get(controlName) ?? EMPTY;
    const arms = names.map((arm, i) => {
      const c = counted.get(arm) ?? EMPTY;
      const percent = n.arms.find((a) => a.name === arm)?.percent ?? null;
      const base: ArmResult = {
        arm,
        percent,
        control: i === 0,
        assigned: c.assigned,
        recipients: c.recipients,
        sent: c.sent,
        delivered: rate(c.delivered, c.recipients),
        clicked: rate(c.clicked, c.recipients),
        converted: converted(c, c.assigned),
        attributed: goal ? rate(c.attributed, c.recipients) : null,
        test: null,
        verdict: null,
        verdictFacts: null,
      };
      if (i === 0 || !goal || !c.converted || !controlCounts.converted) return base;
      const ctl = { x: controlCounts.converted[7], n: controlCounts.assigned };
      const variant = { x: c.converted[7], n: c.assigned };
      const test = twoProportionZTest(ctl, variant);
      return {
        ...base,
        test,
        verdict: verdict(controlName, arm, ctl, variant, test),
        verdictFacts: verdictFacts(controlName, arm, ctl, variant, test),
      };
    });
    return { nodeId: n.id, label: n.label, arms };
  });

  return {
    journeyId,
    name,
    goal: goal
      ? { event: goal.event, within: options.goalEvent ? "P7D" : (settingsGoal?.within ?? "P7D") }
      : null,
    windows: DAYS.map((day) => ({ day, hours: (day + 1) * 24 })),
    sends,
    splits,
    series,
    zone: options.zone,
    skippedEntries: skips.total,
  };
}

function sendResult(
  nodeId: string,
  label: string,
  channel: string | null,
  removed: boolean,
  c: SendCounts | undefined,
  hasGoal: boolean,
): SendResult {
  const counts = c ?? { ...EMPTY, converted: hasGoal ? EMPTY.converted : null };
  const numbers = (n: Omit<SendCounts, "variants">) => ({
    recipients: n.recipients,
    delivered: rate(n.delivered, n.recipients),
    clicked: rate(n.clicked, n.recipients),
    converted: converted(n, n.recipients),
    attributed: hasGoal ? rate(n.attributed, n.recipients) : null,
  });
  const variants = [...(c?.variants ?? [])]
    .sort(([a, x], [b, y]) => y.recipients - x.recipients || a.localeCompare(b))
    .map(([variant, n]) => ({ variant, ...numbers(n) }));
  return { nodeId, label, channel, removed, ...numbers(counts), variants };
}
