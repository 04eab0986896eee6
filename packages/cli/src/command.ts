/**
 * What a command is: its flags as data (parsed with `node:util` parseArgs and rendered into `--help` from the same
 * table), its examples, and its `run`. Parsing never guesses: an unknown flag, a missing value or a stray argument
 * is a usage error (exit 2) that names the flag and points at `--help`.
 */
import { parseArgs } from "node:util";
import { usageError } from "./errors.js";
import type { CliIo, Output } from "./output.js";

/** One flag of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  /** One line for `--help`. */
  description: string;
  /** The value's name in `--help` (`--topic <id>`). */
  value?: string;
  /** May be given more than once. */
  multiple?: boolean;
  short?: string;
}

/** A command's flags by name (kebab case, without `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Parsed flags: strings, booleans, or string lists for `multiple` flags. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` gets. */
export interface CommandContext {
  io: CliIo;
  out: Output;
  flags: FlagValues;
  positionals: string[];
}

/** A command of the CLI. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The usage line after `allocmd `, e.g. `init --name <name> --topic <id> [--env dev|prod]`. */
  usage: string;
  flags: FlagSpecs;
  /** Names of positional arguments, in order (`<id>`); more are a usage error. */
  positionals?: readonly string[];
  /** A paragraph or two after the usage line. */
  details?: string;
  examples: readonly string[];
  run(ctx: CommandContext): Promise<number>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: FlagSpecs = {
  help: { type: "boolean", short: "h", description: "show this help" },
  yes: {
    type: "boolean",
    short: "y",
    description: "accepted for CI scripts; allocmd never prompts, so it changes nothing",
  },
};

/** The flag that names the project folder, for commands that work inside a project. */
export const DIR_FLAG: FlagSpecs = {
  dir: { type: "string", value: "path", description: "the project folder (default: the current folder)" },
};

/** Flags of commands that talk to a network. */
export const NETWORK_FLAGS: FlagSpecs = {
  ...DIR_FLAG,
  env: { type: "string", value: "dev|prod", description: "which network of config.yaml to ask (default dev)" },
  head: { type: "string", value: "url", description: "the head's REST URL (default: http://127.0.0.1:6000 in dev)" },
  "chain-rest": {
    type: "string",
    value: "url",
    description: "the chain's REST URL (default: http://127.0.0.1:1317 in dev)",
  },
};

/**
 * `--json`: print the command's answer as JSON (for scripts) instead of the report; every command that reports
 * takes it, with `description` saying what it prints.
 */
export function jsonFlag(description: string): FlagSpecs {
  return { json: { type: "boolean", description } };
}

/** Parses `argv` (after the command name) against the command's flags. */
export function parseCommandArgs(
  command: Command,
  argv: readonly string[],
): { flags: FlagValues; positionals: string[] } {
  const specs = { ...command.flags, ...COMMON_FLAGS };
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, allowNegative: false });
  } catch (err) {
    throw usageError("USAGE_UNKNOWN_FLAG", describeParseError(err, command), `see: allocmd ${command.name} --help`);
  }
  const allowed = command.positionals ?? [];
  if (parsed.values.help !== true && parsed.positionals.length > allowed.length) {
    const extra = parsed.positionals.slice(allowed.length);
    throw usageError(
      "USAGE_BAD_VALUE",
      `allocmd ${command.name} does not take ${extra.map((e) => `"${e}"`).join(", ")}` +
        (allowed.length === 0 ? " (it takes no arguments; values go after their flag)" : ""),
      `see: allocmd ${command.name} --help`,
    );
  }
  return { flags: parsed.values as FlagValues, positionals: parsed.positionals };
}

function describeParseError(err: unknown, command: Command): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    const flag = unknown[1] as string;
    const near = Object.keys(command.flags).find((f) => closeTo(flag.replace(/^-+/, ""), f));
    return `allocmd ${command.name} has no flag ${flag}${near ? ` (did you mean --${near}?)` : ""}`;
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && missing) {
    return `${missing[1]} needs a value`;
  }
  return message;
}

/** Edit distance of at most 2, or one is a prefix of the other: enough to suggest a flag. */
function closeTo(a: string, b: string): boolean {
  if (a.length > 2 && (b.startsWith(a) || a.startsWith(b))) return true;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const prev = rows[i - 1] as number[];
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
  }
  return ((rows[a.length] as number[])[b.length] as number) <= 2;
}

/** The `--help` text of a command. */
export function commandHelp(command: Command): string {
  const rows = Object.entries({ ...command.flags, ...COMMON_FLAGS }).map(([name, spec]) => {
    const left = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` <${spec.value}>` : ""}`;
    return [left, `${spec.description}${spec.multiple ? " (repeatable)" : ""}`];
  });
  const width = Math.max(...rows.map(([l]) => (l as string).length)) + 2;
  return [
    `allocmd ${command.name}: ${command.summary}`,
    "",
    `Usage: allocmd ${command.usage}`,
    ...(command.details ? ["", command.details] : []),
    "",
    "Options:",
    ...rows.map(([l, r]) => `  ${(l as string).padEnd(width)}${r}`),
    "",
    "Examples:",
    ...command.examples.map((e) => `  ${e}`),
    "",
    "Exit codes: 0 ok, 1 failure, 2 usage error.",
    "",
  ].join("\n");
}

/** A string flag's value, or undefined. */
export function stringFlag(flags: FlagValues, name: string): string | undefined {
  const v = flags[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable string flag's values (empty when not given). */
export function listFlag(flags: FlagValues, name: string): string[] {
  const v = flags[name];
  if (Array.isArray(v)) return v;
  return typeof v === "string" ? [v] : [];
}

/** A boolean flag's value. */
export function boolFlag(flags: FlagValues, name: string): boolean {
  return flags[name] === true;
}
