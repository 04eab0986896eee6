/**
 * Which head and chain a command talks to. Inside a project: the dev network's ports on 127.0.0.1 (config.yaml
 * `dev`; the same ports `pnpm dev` uses, so both work unchanged) or, with `--env prod`, the URLs of config.yaml's
 * `prod` section. Flags (`--head`, `--chain-rest`, `--chain-rpc`) override either. Outside a project: the defaults.
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DEFAULT_PORTS } from "@allora/devnet/description";
import { type Command, type FlagValues, stringFlag } from "../command.js";
import { CONFIG_FILE, loadProject, type Project } from "../config/load-config.js";
import { CliError, usageError } from "../errors.js";
import { parseUrlFlag } from "../validate.js";
import { loadJoinRecord } from "./join-record.js";

/** Where a command sends its requests. */
export interface Endpoints {
  env: "dev" | "prod";
  headUrl: string | undefined;
  chainRest: string | undefined;
  chainRpc: string | undefined;
  faucetUrl: string | undefined;
  /** The worker's own HTTP face (/status), as seen from this machine, when known. */
  workerUrl: string | undefined;
  /** True when the defaults come from the network `allocmd run --join` joined. */
  joined: boolean;
}

/** The project folder a command works in: `--dir`, or the current folder. */
function projectDirOf(cwd: string, flags: FlagValues): string {
  const dirFlag = stringFlag(flags, "dir");
  return dirFlag ? resolve(cwd, dirFlag) : cwd;
}

/** The project of a command, or undefined when there is none (commands that also work outside a project). */
export async function findProject(cwd: string, flags: FlagValues): Promise<Project | undefined> {
  const dir = projectDirOf(cwd, flags);
  // An explicit --dir must be a project; the current folder may simply not be one.
  if (stringFlag(flags, "dir") === undefined) {
    const present = await stat(join(dir, CONFIG_FILE)).then(
      () => true,
      () => false,
    );
    if (!present) return undefined;
  }
  return loadProject(dir);
}

/** The project of a command; throws `CONFIG_MISSING` (with what to do) when there is none. */
export function requireProject(cwd: string, flags: FlagValues): Promise<Project> {
  return loadProject(projectDirOf(cwd, flags));
}

/**
 * The endpoints for `flags` and an optional project. In dev, a project that joined a network with
 * `allocmd run --join` talks to that network by default; otherwise to its own dev network's ports.
 */
export async function resolveEndpoints(
  project: Project | undefined,
  flags: FlagValues,
  command: Command,
): Promise<Endpoints> {
  const envFlag = stringFlag(flags, "env") ?? "dev";
  if (envFlag !== "dev" && envFlag !== "prod")
    throw usageError("USAGE_BAD_VALUE", `--env must be dev or prod, got "${envFlag}"`);
  const env = envFlag;
  const local = (port: number) => `http://127.0.0.1:${port}`;
  let headUrl: string | undefined;
  let chainRest: string | undefined;
  let chainRpc: string | undefined;
  let faucetUrl: string | undefined;
  let workerUrl: string | undefined;
  let joined = false;
  if (env === "prod") {
    if (!project) {
      throw new CliError(
        "CONFIG_MISSING",
        "--env prod reads the prod network from config.yaml, and there is none here",
        {
          hint: `run it inside the project (or --dir <project>), or give --head / --chain-rest instead (see allocmd ${command.name} --help)`,
        },
      );
    }
    const p = project.config.prod;
    headUrl = p.head_url || undefined;
    chainRest = p.chain_rest || undefined;
    chainRpc = p.chain_rpc || undefined;
    faucetUrl = p.faucet_url || undefined;
  } else {
    const record = project ? await loadJoinRecord(project.dir) : undefined;
    if (record) {
      joined = true;
      headUrl = record.head_url;
      chainRest = record.chain_rest ?? undefined;
      chainRpc = record.chain_rpc ?? undefined;
      faucetUrl = chainRest ? `${chainRest}/faucet` : undefined;
      workerUrl = record.worker_url;
    } else {
      const d = project?.config.dev;
      headUrl = local(d?.head_rest_port ?? DEFAULT_PORTS.headRest);
      chainRest = local(d?.chain_rest_port ?? DEFAULT_PORTS.chainRest);
      chainRpc = local(d?.chain_rpc_port ?? DEFAULT_PORTS.chainRpc);
      faucetUrl = `${chainRest}/faucet`;
      if (project) workerUrl = local(project.config.worker.http_port);
    }
  }
  const head = stringFlag(flags, "head");
  if (head !== undefined) headUrl = parseUrlFlag(head, "--head");
  const rest = stringFlag(flags, "chain-rest");
  if (rest !== undefined) {
    chainRest = parseUrlFlag(rest, "--chain-rest");
    if (env === "dev" || !faucetUrl) faucetUrl = `${chainRest}/faucet`;
  }
  const rpc = stringFlag(flags, "chain-rpc");
  if (rpc !== undefined) chainRpc = parseUrlFlag(rpc, "--chain-rpc");
  const worker = stringFlag(flags, "worker-url");
  if (worker !== undefined) workerUrl = parseUrlFlag(worker, "--worker-url");
  const faucet = stringFlag(flags, "faucet-url");
  if (faucet !== undefined) faucetUrl = parseUrlFlag(faucet, "--faucet-url");
  return { env, headUrl, chainRest, chainRpc, faucetUrl, workerUrl, joined };
}
