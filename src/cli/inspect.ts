import { parseArgs } from "node:util";
import { openH5ad } from "../h5ad/index.js";
import { formatDescription } from "./format.js";

export async function inspectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      stream: { type: "boolean" },
      "cache-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(
      "usage: cellfeed inspect FILE.h5ad|s3://BUCKET/KEY.h5ad [--json] [--stream] [--cache-dir DIR]\n" +
        "  s3:// objects are downloaded to the cache first, or read in place with --stream\n",
    );
    return values.help ? 0 : 2;
  }
  const path = positionals[0]!;
  const file = await openH5ad(path, {
    stream: values.stream === true,
    ...(values["cache-dir"] === undefined ? {} : { cacheDir: values["cache-dir"] }),
  });
  try {
    const description = await file.describe();
    if (values.json) process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
    else process.stdout.write(formatDescription(path, description as unknown as Record<string, unknown>));
  } finally {
    file.close();
  }
  return 0;
}
