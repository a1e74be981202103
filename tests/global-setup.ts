import { ensureClientBuilt } from "../server/client-build.ts";

// Servers started by tests serve the built client; build it once here, not in each file at once.
export default async function setup(): Promise<void> {
  // For server-only runs while the client is mid-edit; the browser tests need the build.
  if (process.env.WAYMARK_TEST_SKIP_CLIENT_BUILD === "1") return;
  await ensureClientBuilt((line) => console.log(line));
}
