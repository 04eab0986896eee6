/**
 * One way for every node to read its settings: each option has a flag (`--boot-nodes`) and the matching env var
 * (`BOOT_NODES`, the flag in upper snake case); the flag wins over the env var, which wins over the default.
 * The whole config is checked at start and every bad key is listed at once.
 */
import { AlloraError } from "@allora/protocol";
import { envNameOfFlag } from "./env-name.js";

type OptionType = "string" | "integer" | "number" | "boolean" | "list";

interface OptionBase<T extends OptionType> {
  readonly type: T;
  /** One line for `--help`. */
  readonly description: string;
  /** Marks values never to print (they are shown as `<set>`). */
  readonly secret?: boolean;
  /** Overrides the env var name (default: the flag in upper snake case). */
  readonly env?: string;
}

/** A string option. */
export interface StringOption extends OptionBase<"string"> {
  readonly default?: string;
  readonly required?: boolean;
  /** Allowed values. */
  readonly choices?: readonly string[];
  /** Returns a problem description, or undefined when the value is fine. */
  readonly check?: (value: string) => string | undefined;
}
/** An integer option. */
export interface IntegerOption extends OptionBase<"integer"> {
  readonly default?: number;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}
/** A number option. */
export interface NumberOption extends OptionBase<"number"> {
  readonly default?: number;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}
/** A boolean flag: `--x`, `--x=true|false`, `--no-x`; env `true|false|1|0|yes|no`. */
export interface BooleanOption extends OptionBase<"boolean"> {
  readonly default?: boolean;
}
/** A comma-separated list. */
export interface ListOption extends OptionBase<"list"> {
  readonly default?: readonly string[];
  readonly check?: (item: string) => string | undefined;
}

/** Any option. */
export type OptionSpec = StringOption | IntegerOption | NumberOption | BooleanOption | ListOption;

/** Options by flag name (kebab case). */
export type ConfigSpec = Record<string, OptionSpec>;

type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

type ValueOf<O extends OptionSpec> = O extends BooleanOption
  ? boolean
  : O extends ListOption
    ? readonly string[]
    : O extends IntegerOption | NumberOption
      ? O extends { default: number } | { required: true }
        ? number
        : number | undefined
      : O extends StringOption
        ? O extends { default: string } | { required: true }
          ? string
          : string | undefined
        : never;

/** The parsed config of a spec: camelCase keys, typed values, frozen. */
export type ConfigOf<S extends ConfigSpec> = Readonly<{ [K in keyof S & string as Camel<K>]: ValueOf<S[K]> }>;

/** Declares a config spec with its literal types kept. */
export function defineConfig<const S extends ConfigSpec>(spec: S): S {
  return spec;
}

/** The env var of a flag: `boot-nodes` → `BOOT_NODES`. */
export function envNameOf(flag: string, option: OptionSpec): string {
  return option.env ?? envNameOfFlag(flag);
}

function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A config that failed to parse, with one line per bad key. */
export class ConfigError extends AlloraError<"CONFIG_INVALID"> {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super("CONFIG_INVALID", `invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
      details: { problems },
    });
  }
}

/** Flags every node understands besides its own options. */
export interface CommonFlags {
  help: boolean;
  version: boolean;
}

function splitArgs(argv: readonly string[], spec: ConfigSpec, problems: string[]) {
  const values = new Map<string, string>();
  const common: CommonFlags = { help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--help" || arg === "-h") {
      common.help = true;
      continue;
    }
    if (arg === "--version" || arg === "-v") {
      common.version = true;
      continue;
    }
    if (!arg.startsWith("--")) {
      problems.push(`unexpected argument "${arg}" (options look like --name=value)`);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && name.startsWith("no-") && spec[name.slice(3)]?.type === "boolean") {
      name = name.slice(3);
      value = "false";
    }
    const option = spec[name];
    if (!option) {
      problems.push(`unknown option --${name} (see --help)`);
      continue;
    }
    if (value === undefined) {
      if (option.type === "boolean") value = "true";
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) {
          problems.push(`--${name} needs a value`);
          continue;
        }
        value = next;
        i++;
      }
    }
    values.set(name, value);
  }
  return { values, common };
}

function parseValue(flag: string, option: OptionSpec, raw: string, source: string, problems: string[]): unknown {
  const where = `${source}`;
  switch (option.type) {
    case "string": {
      if (option.choices && !option.choices.includes(raw)) {
        problems.push(`${where}: "${raw}" is not one of ${option.choices.join(", ")}`);
        return undefined;
      }
      const problem = option.check?.(raw);
      if (problem) problems.push(`${where}: ${problem}`);
      return raw;
    }
    case "integer":
    case "number": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n) || (option.type === "integer" && !Number.isInteger(n))) {
        problems.push(`${where}: "${raw}" is not ${option.type === "integer" ? "an integer" : "a number"}`);
        return undefined;
      }
      if (option.min !== undefined && n < option.min)
        problems.push(`${where}: ${n} is below the minimum ${option.min}`);
      if (option.max !== undefined && n > option.max)
        problems.push(`${where}: ${n} is above the maximum ${option.max}`);
      return n;
    }
    case "boolean": {
      const v = raw.toLowerCase();
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      problems.push(`${where}: "${raw}" is not a boolean (true or false)`);
      return undefined;
    }
    case "list": {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of items) {
        const problem = option.check?.(item);
        if (problem) problems.push(`${where}: ${problem}`);
      }
      void flag;
      return items;
    }
  }
}

/** The result of {@link parseConfig}. */
export interface ParsedConfig<S extends ConfigSpec> {
  config: ConfigOf<S>;
  common: CommonFlags;
  /** Where each key's value came from, for the start-up log (secrets masked). */
  sources: Record<string, { source: "flag" | "env" | "default"; value: unknown }>;
}

/**
 * Parses flags and env against `spec`. Throws {@link ConfigError} listing every problem; `--help` and
 * `--version` are reported in `common` (and skip validation of required options).
 */
export function parseConfig<S extends ConfigSpec>(
  spec: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedConfig<S> {
  const problems: string[] = [];
  const { values, common } = splitArgs(argv, spec, problems);
  const out: Record<string, unknown> = {};
  const sources: ParsedConfig<S>["sources"] = {};
  for (const [flag, option] of Object.entries(spec)) {
    const envName = envNameOf(flag, option);
    const fromFlag = values.get(flag);
    const fromEnv = env[envName];
    let value: unknown;
    let source: "flag" | "env" | "default" = "default";
    if (fromFlag !== undefined) {
      value = parseValue(flag, option, fromFlag, `--${flag}`, problems);
      source = "flag";
    } else if (fromEnv !== undefined && fromEnv !== "") {
      value = parseValue(flag, option, fromEnv, `${envName}`, problems);
      source = "env";
    } else {
      value = option.default;
    }
    if (value === undefined && "required" in option && option.required && !common.help && !common.version) {
      problems.push(`--${flag} (env ${envName}) is required: ${option.description}`);
    }
    out[camel(flag)] = value;
    sources[camel(flag)] = { source, value: option.secret && value !== undefined ? "<set>" : value };
  }
  if (problems.length > 0 && !common.help && !common.version) throw new ConfigError(problems);
  return { config: Object.freeze(out) as ConfigOf<S>, common, sources };
}

/** `--help` text: usage plus one line per option with its env var and default. */
export function formatHelp(name: string, summary: string, spec: ConfigSpec, examples: readonly string[] = []): string {
  const rows = Object.entries(spec).map(([flag, option]) => {
    const def =
      option.default === undefined
        ? "required" in option && option.required
          ? " (required)"
          : ""
        : ` (default: ${Array.isArray(option.default) ? option.default.join(",") || '""' : String(option.default)})`;
    return `  --${flag.padEnd(26)} env ${envNameOf(flag, option).padEnd(28)} ${option.description}${def}`;
  });
  return [
    `${name}: ${summary}`,
    "",
    `Usage: ${name} [options]`,
    "",
    "Every option is also read from the env var shown; a flag wins over its env var.",
    "",
    ...rows,
    `  --${"help".padEnd(26)} ${"".padEnd(32)} show this help`,
    `  --${"version".padEnd(26)} ${"".padEnd(32)} print the version`,
    ...(examples.length > 0 ? ["", "Examples:", ...examples.map((e) => `  ${e}`)] : []),
    "",
  ].join("\n");
}
