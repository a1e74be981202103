#!/usr/bin/env -S node --max-semi-space-size=64
// The package bin: runs the TypeScript CLI through tsx so `npx waymark …` needs no build step.
// The shebang passes server/cli/node-flags.ts NODE_FLAGS (a shebang cannot import them).
import { register } from "tsx/esm/api";

register();
await import("../server/cli/main.ts");
