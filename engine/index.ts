/**
 * The journey engine's public API. Pure: no database, network or wall clock; the ticker and
 * the simulator pass the clock, randomness and contact history in.
 */
export { advance } from "./advance.ts";
export {
  type CompiledJourney,
  compile,
  compileFresh,
  type JourneyVersion,
} from "./compile/compile.ts";
export { COMPLETED, EXITED, type JourneyMachine, type MachineEvent } from "./compile/machine.ts";
export type { ContactView, JourneyEvent } from "./contact.ts";
export type { CooldownScope, Effect, ExitReason, TimelineEntry, TimelineType } from "./effects.ts";
export { exportJourney } from "./format/export.ts";
export {
  type Edge,
  JOURNEY_FORMAT,
  type Journey,
  type JourneyNode,
  JourneySchema,
  type NodeType,
  type Settings,
} from "./format/journey.ts";
export { generateJsonSchema, JSON_SCHEMA_PATH, jsonSchemaText } from "./format/json-schema.ts";
export { type ParseResult, parseJourney } from "./format/parse.ts";
export { NODE_DEFINITIONS, NODE_TYPES, NodeSchema } from "./nodes/registry.ts";
export { splitArm } from "./nodes/split.ts";
export type { AdvanceInput, AdvancePolicy, AdvanceResult, EnginePorts } from "./ports.ts";
export {
  type MultiSimulationResult,
  type SimEntry,
  type SimEvent,
  type SimFinal,
  type SimIssue,
  type SimOptions,
  type SimulationResult,
  simulate,
  simulateMany,
} from "./simulate/simulate.ts";
export { ContactStore, type SimContact } from "./simulate/store.ts";
export { formatTimeline } from "./simulate/table.ts";
export type {
  EnrollmentContext,
  EnrollmentSnapshot,
  EnrollmentStatus,
  SendRecord,
} from "./snapshot.ts";
export { type PendingEvent, type StepInput, type StepOutput, type StepPass, step } from "./step.ts";
export {
  canReenter,
  dateTriggerDue,
  type LastEnrollment,
  nextDateTrigger,
  triggerMatches,
} from "./triggers.ts";
export { ISSUE_CODES, type Issue, type IssueCode, type Severity } from "./validate/issue.ts";
export { hasErrors, type ValidateOptions, validate, validateText } from "./validate/validate.ts";
