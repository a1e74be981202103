#!/usr/bin/env node
// The package bin: runs the TypeScript CLI through tsx so `npx waymark …` needs no build step.
import { register } from "tsx/esm/api";

register();
await import("../server/cli/main.ts");
