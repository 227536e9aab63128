#!/usr/bin/env node
/**
 * The `cellfeed` command: `cellfeed inspect FILE [--json]`, `cellfeed bench FILES...`.
 * Errors print one line (the typed error's message) and exit 1; `--debug` prints the stack too.
 */
import { isCellfeedError } from "../errors.js";

const USAGE = `usage: cellfeed <command> [options]

commands:
  inspect FILE [--json]         describe an .h5ad file (shape, X, obs/var columns, layers, ...)
  bench FILES... [options]      measure loader throughput (see 'cellfeed bench --help')

options:
  --debug                       print stack traces of errors
  -h, --help                    this help
`;

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  inspect: async () => (await import("./inspect.js")).inspectCommand,
  bench: async () => (await import("./bench.js")).benchCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help") {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`cellfeed: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const debug = rest.includes("--debug");
  try {
    const command = await load();
    return await command(rest.filter((a) => a !== "--debug"));
  } catch (e) {
    if (debug) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    else if (isCellfeedError(e) || (e as { code?: string })?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      process.stderr.write(`cellfeed ${name}: ${(e as Error).message}\n`);
    } else
      process.stderr.write(`cellfeed ${name}: ${(e as Error)?.message ?? String(e)} (rerun with --debug)\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exitCode = 1;
  },
);
