export { TEMPLATE_BUDGET } from "./budget.ts";
export {
  type RenderOptions,
  type RenderResult,
  renderTemplate,
  type TemplateVars,
} from "./render.ts";
export {
  formatVariablePath,
  type SegmentsResult,
  templateVariableSegments,
  templateVariables,
  undefaultedVariableSegments,
  type VariablesResult,
} from "./variables.ts";
