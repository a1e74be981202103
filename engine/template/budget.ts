import {
  AssertionError,
  CaptureTag,
  type Context,
  type Emitter,
  ForTag,
  type Liquid,
  type Parser,
  TablerowTag,
  type TagToken,
  type Template,
  type TopLevelToken,
  toValueSync,
} from "liquidjs";

/**
 * What one render may spend. Templates are written by any operator who can edit a journey and
 * rendered on the server (validation, preview, simulation, sending), so a template must not be
 * able to hold the event loop: three nested `for` over a 300-character `split` once held it for
 * 11.6 s from a validation request.
 *
 * liquidjs's own limits cover the size of the source (`parseLimit`) and what filters allocate
 * (`memoryLimit`), but a `for` costs them nothing per iteration, and its `renderLimit` reads a
 * clock, which would make the same template pass in validation and fail on a busy ticker. So
 * loops are counted instead: every iteration of a `for` or `tablerow` pays steps in proportion to
 * the size of its body, from a per-render budget, and checks the output so far against a cap. The
 * counts are deterministic — a template over budget is over it in every one of the four places —
 * and the budgets are far above what a message needs (measured in tests/engine/template-budget:
 * the costliest template under budget renders in a few milliseconds). `renderLimit` stays as a
 * last-resort stop, well above anything the counts allow, for work they do not see.
 */
export const TEMPLATE_BUDGET = {
  /** Characters of template source per parse (the journey format allows 5,000). */
  parseChars: 20_000,
  /** liquidjs's count of what filters allocate (string lengths, array sizes) per render. */
  memory: 300_000,
  /** Loop steps per render: iterations weighted by the size of their body (`weightOf`). */
  loopSteps: 10_000,
  /** Characters of output, checked at every loop iteration. */
  outputChars: 100_000,
  /** Milliseconds; never reached by a template within the counted budgets. */
  renderMs: 2_000,
} as const;

/** A template went over one of the budgets above: a validation error, a suppression at send. */
export class TemplateBudgetError extends Error {}

const spent = new WeakMap<Context, number>();

/** One step of a loop: charges its body's weight and checks the output so far. */
function stepCharge(token: TagToken, weight: number): Template {
  return {
    token,
    render(ctx: Context, emitter: Emitter) {
      const used = (spent.get(ctx) ?? 0) + weight;
      if (used > TEMPLATE_BUDGET.loopSteps)
        throw new TemplateBudgetError(
          `loop budget exceeded (${TEMPLATE_BUDGET.loopSteps.toLocaleString("en")} steps)`,
        );
      if (emitter.buffer.length > TEMPLATE_BUDGET.outputChars)
        throw new TemplateBudgetError(
          `output budget exceeded (${TEMPLATE_BUDGET.outputChars.toLocaleString("en")} characters)`,
        );
      spent.set(ctx, used);
      return "";
    },
  };
}

/**
 * What one iteration of a body may cost, in steps: each template in it, nested ones included,
 * counts one plus one per 8 characters of its source, because filters, conditions and text all
 * cost in proportion to how much of them there is (an output with four filters is several times
 * an empty one). Work that grows with data instead of source is what memoryLimit counts.
 */
function weightOf(templates: readonly Template[]): number {
  let n = 0;
  for (const t of templates) {
    n += 1 + Math.ceil((t.token.end - t.token.begin) / 8);
    if (t.children) n += weightOf(toValueSync(t.children(false, true)));
  }
  return n;
}

export class BudgetedFor extends ForTag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid, parser);
    this.templates.unshift(stepCharge(token, 1 + weightOf(this.templates)));
  }
}

export class BudgetedTablerow extends TablerowTag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid, parser: Parser) {
    super(token, remain, liquid, parser);
    this.templates.unshift(stepCharge(token, 1 + weightOf(this.templates)));
  }
}

/**
 * `capture` renders into a string of its own, out of sight of the output check; charging its
 * length to the memory budget stops `{% capture c %}{{ c }}{{ c }}{% endcapture %}` doubling a
 * string in a loop (2^29 characters after 29 iterations).
 */
export class BudgetedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const value: unknown = ctx.bottom()[this.variable];
    if (typeof value === "string") ctx.memoryLimit.use(value.length);
  }
}

/** The whole output, checked once more after rendering (text outside loops is not counted). */
export function outputOverBudget(text: string): string | null {
  return text.length > TEMPLATE_BUDGET.outputChars
    ? `output budget exceeded (${TEMPLATE_BUDGET.outputChars.toLocaleString("en")} characters)`
    : null;
}

/** Whether a parse or render error is a budget (ours or liquidjs's limits), not a mistake. */
export function isOverBudget(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 10; depth++) {
    if (e instanceof TemplateBudgetError) return true;
    if (e instanceof AssertionError && / limit exceeded$/.test(e.message)) return true;
    e = (e as { originalError?: unknown }).originalError;
  }
  return false;
}
