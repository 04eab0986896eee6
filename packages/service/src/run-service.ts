/**
 * The lifecycle of a node process: parse config (with `--help` and `--version`), create the logger, start, and stop
 * cleanly on SIGINT/SIGTERM within a deadline, or when the runner that started it is gone (`ALLORA_RUNNER_FD`, see
 * runner-link.ts). Configuration mistakes print without a stack trace and exit 2; a failed start exits 1 with the
 * error's code logged.
 */
import type { Logger } from "@allora/protocol";
import { ConfigError, type ConfigOf, type ConfigSpec, formatHelp, parseConfig } from "./config.js";
import { createLogger, errorFields } from "./logger.js";
import { watchRunner } from "./runner-link.js";
import { readPackageVersion } from "./version.js";

/** A started node. */
export interface RunningService {
  stop(): Promise<void>;
}

/** What {@link runService} needs to know about a node. */
export interface ServiceDefinition<S extends ConfigSpec> {
  /** Program name, e.g. `allora-head`. */
  program: string;
  summary: string;
  version: string;
  spec: S;
  examples?: readonly string[];
  /** The node name for log lines, from the config (default: the program name). */
  nodeName?: (config: ConfigOf<S>) => string;
  /** The log level, from the config (default `info`). */
  logLevel?: (config: ConfigOf<S>) => string;
  start(context: { config: ConfigOf<S>; logger: Logger; version: string }): Promise<RunningService>;
}

/** Milliseconds a node gets to stop before the process exits anyway. */
const STOP_DEADLINE_MS = 10_000;

/** Runs a node as the main program of this process. */
export async function runService<S extends ConfigSpec>(
  def: ServiceDefinition<S>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  let parsed: ReturnType<typeof parseConfig<S>>;
  try {
    parsed = parseConfig(def.spec, argv, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${def.program}: ${err.message}\nRun ${def.program} --help for every option.\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.common.help) {
    process.stdout.write(formatHelp(def.program, def.summary, def.spec, def.examples));
    process.exit(0);
  }
  if (parsed.common.version) {
    process.stdout.write(`${def.program} ${def.version}\n`);
    process.exit(0);
  }
  const { config } = parsed;
  const logger = createLogger({ node: def.nodeName?.(config) ?? def.program, level: def.logLevel?.(config) ?? "info" });
  const fatal = (kind: string) => (err: unknown) => {
    logger.error({ ...errorFields(err), kind }, `${kind}: the node cannot continue`);
    process.exit(1);
  };
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));

  // Before the start, so a runner that dies while this node starts takes it along too.
  let onRunnerGone: () => void = () => {
    logger.warn({ code: "RUNNER_GONE" }, "the runner that started this node is gone; exiting before start completed");
    process.exit(1);
  };
  try {
    watchRunner(env, () => onRunnerGone());
  } catch (err) {
    process.stderr.write(`${def.program}: ${(err as Error).message}\n`);
    process.exit(2);
  }

  logger.info({ version: def.version, config: parsed.sources }, `${def.program} ${def.version} starting`);
  let running: RunningService;
  try {
    running = await def.start({ config, logger, version: def.version });
  } catch (err) {
    logger.error(errorFields(err), `failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, "stopping");
    const deadline = setTimeout(() => {
      logger.error({ code: "STOP_DEADLINE_EXCEEDED" }, `did not stop within ${STOP_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    try {
      await running.stop();
      logger.info("stopped");
      process.exit(0);
    } catch (err) {
      logger.error(errorFields(err), "error while stopping");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  onRunnerGone = () => {
    if (stopping) return; // already stopping (the runner's SIGTERM came first): let that stop finish
    logger.warn({ code: "RUNNER_GONE" }, "the runner that started this node is gone; stopping");
    void stop("RUNNER_GONE");
  };
}

/** A node as its composition root builds it: created from its config, then started. */
export interface StartableNode extends RunningService {
  start(): Promise<void>;
}

/** What {@link runNode} gives a node's composition root beside its config. */
export interface NodeDeps {
  logger: Logger;
  /** The package's version: announced to peers and reported by the node's status. */
  version: string;
}

/** What {@link runNode} needs: the program's description and its composition root. */
export interface NodeProgram<S extends ConfigSpec> {
  program: string;
  summary: string;
  spec: S;
  examples?: readonly string[];
  /** The bin's `import.meta.url`: the version is that of the package it belongs to. */
  binUrl: string;
  /** Builds the node (`createXNode(config, deps)`); {@link runNode} starts it. */
  create(config: ConfigOf<S>, deps: NodeDeps): Promise<StartableNode> | StartableNode;
}

/**
 * The whole bin of a node: {@link runService} with the package's version, the node name and log level read from
 * the config's `name` and `log-level` (see `nodeOptions`), and the node created, then started.
 */
export function runNode<S extends ConfigSpec>(def: NodeProgram<S>): Promise<void> {
  const version = readPackageVersion(def.binUrl);
  const field = (config: ConfigOf<S>, key: string) => {
    const value = (config as Record<string, unknown>)[key];
    return typeof value === "string" ? value : undefined;
  };
  return runService({
    program: def.program,
    summary: def.summary,
    version,
    spec: def.spec,
    ...(def.examples ? { examples: def.examples } : {}),
    nodeName: (config) => field(config, "name") ?? def.program,
    logLevel: (config) => field(config, "logLevel") ?? "info",
    async start({ config, logger }) {
      const node = await def.create(config, { logger, version });
      await node.start();
      return node;
    },
  });
}
