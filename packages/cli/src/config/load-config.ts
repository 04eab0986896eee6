/**
 * Reads a project's `config.yaml`: YAML syntax, the schema, then what a schema cannot say (multiaddrs, URLs,
 * reserved env names, no secrets). Every problem is listed at once, by its path in the file, so one edit fixes all.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { isReservedEnvName } from "@allora/protocol";
import { Value } from "@sinclair/typebox/value";
import { parseDocument } from "yaml";
import { CliError } from "../errors.js";
import { checkBootNode, checkHttpUrl } from "../validate.js";
import { ProjectConfig } from "./schema.js";

/** The file name of a project's configuration. */
export const CONFIG_FILE = "config.yaml";

/** A loaded project: its folder and its validated configuration. */
export interface Project {
  dir: string;
  configPath: string;
  config: ProjectConfig;
}

/** Twelve or more lowercase words: the shape of a BIP39 mnemonic, which must never sit in config.yaml. */
const MNEMONIC_SHAPE = /^\s*([a-z]+\s+){11,}[a-z]+\s*$/;
/** A private key in hex (32 or 64 bytes) or the base64 of a libp2p `priv.bin`. */
const PRIVATE_KEY_SHAPE = /^(0x)?([0-9a-fA-F]{64}|[0-9a-fA-F]{128})$|^CAESQ[A-Za-z0-9+/]{80,}={0,2}$/;

function jsonPath(path: string): string {
  return (
    path
      .split("/")
      .filter(Boolean)
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "") || "(top level)"
  );
}

function findSecrets(value: unknown, path: string, problems: string[]): void {
  if (typeof value === "string") {
    if (MNEMONIC_SHAPE.test(value) || PRIVATE_KEY_SHAPE.test(value.trim())) {
      problems.push(
        `${path || "(top level)"}: looks like a mnemonic or private key; secrets never go in config.yaml: put the ` +
          "mnemonic in the file worker.mnemonic_file and other secrets in .env",
      );
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) findSecrets(v, `${path}[${i}]`, problems);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) findSecrets(v, path ? `${path}.${k}` : k, problems);
  }
}

/** Problems a schema cannot find, as `path: sentence`. */
export function semanticProblems(config: ProjectConfig): string[] {
  const problems: string[] = [];
  const ids = config.topics.map((t) => t.id);
  if (new Set(ids).size !== ids.length) problems.push("topics: a topic id is listed twice");
  config.prod.boot_nodes.forEach((b, i) => {
    const p = checkBootNode(b);
    if (p) problems.push(`prod.boot_nodes[${i}]: ${p}`);
  });
  config.prod.announce.forEach((b, i) => {
    const p = checkBootNode(b);
    if (p) problems.push(`prod.announce[${i}]: ${p}`);
  });
  for (const key of ["chain_rpc", "chain_rest", "head_url", "faucet_url"] as const) {
    const v = config.prod[key];
    const p = v ? checkHttpUrl(v) : undefined;
    if (p) problems.push(`prod.${key}: ${p}`);
  }
  const local = checkHttpUrl(config.inference.local_url);
  if (local) problems.push(`inference.local_url: ${local}`);
  for (const [name, value] of Object.entries(config.function_env)) {
    if (
      isReservedEnvName(name) ||
      name === "INFERENCE_API_ADDRESS" ||
      name === "TOPIC_ID" ||
      name.startsWith("ALLORA_")
    ) {
      problems.push(
        `function_env.${name}: this name is set by the worker itself` +
          (name === "INFERENCE_API_ADDRESS" ? " from inference.service and inference.port" : "") +
          "; remove it",
      );
    }
    if (value.includes(","))
      problems.push(`function_env.${name}: values cannot contain a comma (the worker splits on it)`);
  }
  if (config.worker.p2p_port === config.worker.http_port)
    problems.push("worker.http_port: must differ from worker.p2p_port");
  findSecrets(config, "", problems);
  return problems;
}

/** Validates parsed YAML; throws `CONFIG_INVALID` listing every problem. */
export function validateConfig(value: unknown, configPath: string): ProjectConfig {
  const problems: string[] = [];
  if (!Value.Check(ProjectConfig, value)) {
    const seen = new Set<string>();
    for (const err of Value.Errors(ProjectConfig, value)) {
      const line = `${jsonPath(err.path)}: ${err.message}${err.value === undefined ? "" : ` (got ${JSON.stringify(err.value)})`}`;
      if (!seen.has(line)) problems.push(line);
      seen.add(line);
      if (problems.length >= 20) break;
    }
    // A pasted secret is reported even when the shape is wrong, so it is never missed.
    findSecrets(value, "", problems);
  } else {
    problems.push(...semanticProblems(value));
  }
  if (problems.length > 0) {
    throw new CliError(
      "CONFIG_INVALID",
      `${configPath} has ${problems.length} problem(s):\n  ${problems.join("\n  ")}`,
      {
        hint: "fix the lines above (every setting is explained by the comment above it), then run the command again",
      },
    );
  }
  return value as ProjectConfig;
}

/** Parses `config.yaml` text; throws `CONFIG_INVALID` for YAML errors or schema problems. */
export function parseConfigText(text: string, configPath: string): ProjectConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new CliError(
      "CONFIG_INVALID",
      `${configPath} is not valid YAML:\n  ${doc.errors.map((e) => e.message.split("\n")[0]).join("\n  ")}`,
      { hint: "fix the YAML syntax at the line named above" },
    );
  }
  return validateConfig(doc.toJS(), configPath);
}

/** Loads the project in `dir`; throws `CONFIG_MISSING` when there is none. */
export async function loadProject(dir: string): Promise<Project> {
  const configPath = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch {
    throw new CliError("CONFIG_MISSING", `no ${CONFIG_FILE} in ${dir}`, {
      hint:
        "run this inside a project made by `allocmd init --name <name> --topic <id>` (or pass --dir <project>); " +
        "to create one: allocmd init --name eth-worker --topic 1",
    });
  }
  return { dir, configPath, config: parseConfigText(text, configPath) };
}
