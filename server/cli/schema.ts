import { jsonSchemaText } from "../../engine/index.ts";

/** `waymark schema`: prints the JSON Schema of the journey format (docs/journey.schema.json). */
export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write("usage: waymark schema\n");
    return 2;
  }
  process.stdout.write(jsonSchemaText());
  return 0;
}
