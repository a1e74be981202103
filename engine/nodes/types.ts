import type { z } from "zod";
import type { ContactView, JourneyEvent } from "../contact.ts";
import type { Effect } from "../effects.ts";
import type { Journey, JourneyNode } from "../format/journey.ts";
import type { AdvancePolicy, EnginePorts } from "../ports.ts";
import type { Channel } from "../shared/channels.ts";
import type { LinkShape } from "../sms/compose.ts";
import type { EnrollmentContext } from "../snapshot.ts";
import type { Issue } from "../validate/issue.ts";
import type { TemplateNames } from "./template-names.ts";

/**
 * The contract every node type implements, one file per type (engine/nodes/<type>.ts), listed
 * once in registry.ts. Adding a node type = one file + one registry line: its schema joins
 * the journey format (and the JSON Schema), its `validate` joins `validate()`, its `step`
 * joins `advance()`.
 */
export type NodeDefinition<N extends { id: string; type: string }> = {
  type: N["type"];
  schema: z.ZodType<N>;
  /** Which out-edges the node has: none (exit), one unlabeled edge, or named paths. */
  outPaths(node: N): OutPaths;
  /**
   * True if an enrollment can stay on this node until a later time or event: a cycle through
   * such a node cannot spin within one `advance` call.
   */
  holds(node: N): boolean;
  /**
   * The journey's entry point (the trigger): exactly one per journey, no edge may lead into
   * it, and a new enrollment starts on it.
   */
  entry: boolean;
  /**
   * The event whose arrival enters a contact through this node (an event trigger), null for
   * any other node or kind of entry: the `event.*` its journey's templates read are that
   * event's properties, which the template-name checks look up (server/contacts/template-names.ts).
   */
  entryEvent(node: N): string | null;
  /** True if the node may queue a message: results count messages per such node and arm. */
  sends: boolean;
  /** The channel of the messages the node queues (results show it); null if `sends` is false. */
  channel(node: N): Channel | null;
  /**
   * The arms of the A/B test the node assigns contacts to (a split), in order: results read
   * each arm's counts and test the others against the first, the control
   * (server/results/results.ts, arms.ts). Null for a node that assigns no arms.
   */
  arms(node: N): readonly { name: string; percent: number }[] | null;
  /**
   * True if the node decides from the contact as loaded and must not race another batch
   * stepping the same contact: a send (caps count the history) or an update (an increment
   * would be lost). The ticker locks a contact, and loads its send history, only while one of
   * its enrollments can still reach such a node (compile's `canStillSend`).
   */
  locksContact: boolean;
  /**
   * False if the node has no settings object of its own (`node[type]`): an exit is just
   * `{ id, type }`. The draft checks (server/journeys/typed-draft.ts) ask this.
   */
  hasSettings: boolean;
  /**
   * Events about the enrollment's own messages this node reads (an engagement branch's
   * `message.clicked`…): once the enrollment has sent, it listens for them from any node,
   * because the click may come before the enrollment reaches the branch.
   */
  engagementEvents(node: N): readonly string[];
  /**
   * True if the node reads `ports.bestHour` (a best-hour wait): the ticker then loads the
   * batch's contacts' most active hours, a query it skips otherwise.
   */
  usesBestHour(node: N): boolean;
  /** Checks beyond the schema; graph-wide checks live in engine/validate. */
  validate(node: N, ctx: ValidateContext): Issue[];
  /** Runs the node at `ctx.now`: move on along a path, hold until a time/event, or end. */
  step(node: N, ctx: StepContext): StepResult;
};

export type OutPaths =
  | { kind: "none" }
  | { kind: "one" }
  | {
      kind: "named";
      names: readonly string[];
      missing: "branch_missing_path" | "split_arm_without_edge";
    };

export type ValidateOptions = {
  /** SMS longer than this many parts (rendered with sample values) is a warning. Default 3. */
  maxSmsParts?: number;
  /**
   * How the server mints tracked links, so the length estimate counts the link that will be
   * sent. Default: the default install's (`DEFAULT_LINK_SHAPE`, engine/sms/compose.ts).
   */
  linkShape?: LinkShape;
  /**
   * The attribute and event property names the workspace has seen: `user.*` / `event.*` reads
   * of others are warnings (template-names.ts). Default: none known, nothing checked.
   */
  templateNames?: TemplateNames;
  /**
   * The SMS provider in effect (the server reads Settings, else the environment) and whether it
   * sends approved templates only: a free-text send to such a provider, or a template send to
   * a free-text one, is a warning. Default: unknown, nothing checked.
   */
  smsProvider?: { name: string; templates: boolean } | null;
};

export type ValidateContext = {
  journey: Journey;
  /** JSON path of this node in the document, e.g. ["nodes", 2]. */
  path: (string | number)[];
  nodesById: ReadonlyMap<string, JourneyNode>;
  /** True if `from` can reach `to` along edges (i.e. `from` is upstream of `to`). */
  reaches(from: string, to: string): boolean;
  options: Required<ValidateOptions>;
};

export type StepContext = {
  now: number;
  journey: Journey;
  enrollment: Readonly<EnrollmentContext>;
  /** The contact as of this step: sends, cooldowns and opt-outs earlier in the same call included. */
  contact: ContactView;
  policy: AdvancePolicy;
  ports: EnginePorts;
  /** The contact's IANA zone (profile, else phone country, else workspace). */
  zone: string;
  /** The input event, until a node consumes it (an event branch taking `yes`). */
  event: JourneyEvent | null;
};

export type StepResult =
  | {
      kind: "next";
      /** Out-edge to follow; absent for single-edge nodes. */
      path?: string;
      effects?: Effect[];
      /** The node used `ctx.event`; later nodes in the same call must not see it again. */
      consumedEvent?: boolean;
    }
  | {
      kind: "hold";
      /** Wake-up for the ticker; null = only an event can move it. */
      wakeAt: number | null;
      /** Event names this node reacts to while held. */
      waitsFor?: readonly string[];
      effects?: Effect[];
    }
  | {
      kind: "end";
      status: "completed" | "exited";
      reason: "exit_node" | "missing_attribute";
      effects?: Effect[];
    };

/** Infers the node type from a definition's schema, so node files need no separate type. */
export function defineNode<N extends { id: string; type: string }>(
  def: NodeDefinition<N>,
): NodeDefinition<N> {
  return def;
}
