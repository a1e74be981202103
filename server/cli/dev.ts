import { spawn } from "node:child_process";
import { resolve } from "node:path";

/**
 * `npm run dev`: the server restarted on change (tsx watch) and Vite with hot reload on :5173,
 * proxying the API to the server so cookies stay same-origin.
 */
const root = resolve(import.meta.dirname, "../..");
const children = [
  spawn(process.execPath, ["--import", "tsx", "--watch", "server/cli/main.ts", "start"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, WAYMARK_SERVE_CLIENT: "false" },
  }),
  spawn(
    process.execPath,
    [resolve(root, "node_modules/vite/bin/vite.js"), "--config", "client/vite.config.ts"],
    {
      cwd: root,
      stdio: "inherit",
    },
  ),
];
const stop = () => {
  for (const c of children) c.kill("SIGTERM");
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
for (const c of children) c.once("exit", stop);
