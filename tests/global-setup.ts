import { ensureClientBuilt } from "../server/client-build.ts";

// Servers started by tests serve the built client; build it once here, not in each file at once.
export default async function setup(): Promise<void> {
  await ensureClientBuilt((line) => console.log(line));
}
