import type { UpdateNode } from "../../../../../engine/nodes/update.ts";
import { assertNever } from "../../../../../engine/shared/assert-never.ts";
import { OneOutNode } from "../shapes.tsx";
import type { NodeUi } from "../ui.ts";

/** "winback_attempts +1", "tier = gold": the card says which attribute and how. */
function summary(node: UpdateNode): string {
  const u = node.update;
  const name = u.attribute || "…";
  switch (u.kind) {
    case "increment":
      return `${name} ${u.by < 0 ? "−" : "+"}${Math.abs(u.by)}`;
    case "set": {
      const v = u.value.length > 24 ? `${u.value.slice(0, 23)}…` : u.value;
      return `${name} = ${v === "" ? "…" : v}`;
    }
    default:
      return assertNever(u);
  }
}

export const updateUi: NodeUi<UpdateNode> = {
  label: "Update contact",
  hint: "Set an attribute, or count with one",
  color: "#7c3aed",
  // A pencil: the step writes to the profile.
  icon: { path: "M10.5 2.5l3 3L6 13H3v-3zM9 4l3 3" },
  idPrefix: "update",
  // No attribute yet: the draft saves, and validation asks for one (bad_attribute_name).
  create: (id, position) => ({
    id,
    type: "update",
    update: { kind: "set", attribute: "", value: "" },
    position,
  }),
  summary,
  component: OneOutNode,
};
