/**
 * Exhaustiveness guard for discriminated-union switches: if a new variant is
 * added and not handled, the call site stops type-checking.
 */
export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
