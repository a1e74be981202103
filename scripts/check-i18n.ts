import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkProject, describeReport } from "./i18n-catalogs.ts";

/**
 * `npm run check:i18n`: fails (exit 1) when a console catalog misses a key the code uses or
 * holds one it does not (scripts/i18n-catalogs.ts). `--src` and `--catalogs` point it elsewhere
 * (the unit test runs it on a broken fixture).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    src: { type: "string", default: join(root, "client/src") },
    catalogs: { type: "string", default: join(root, "client/src/i18n/catalogs") },
  },
});
const lines = describeReport(checkProject(values.src, values.catalogs, root));
if (lines.length > 0) {
  for (const line of lines) console.error(line);
  console.error(
    `i18n: ${lines.length} problem${lines.length === 1 ? "" : "s"} in the console's catalogs`,
  );
  process.exit(1);
}
console.log("i18n: every key the console uses is in every catalog, and every catalog key is used");
