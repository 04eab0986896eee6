/**
 * `prod-docker-compose.yaml`: this worker joining a real network (config.yaml's `prod` section: boot nodes, chain
 * RPC and REST), plus every service of the user's own from the dev file, so the inference service built and tested
 * in dev is not lost (the original tool regenerated prod from scratch). The local network's chain and head stay
 * behind; references to them are dropped from the carried services. Nothing secret is inline.
 */
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import type { ProjectConfig } from "../config/schema.js";
import { CliError } from "../errors.js";
import { NETWORK_SERVICES, sampleInferenceService } from "./compose-dev.js";
import { type ComposeModel, renderCompose } from "./compose-file.js";
import { MNEMONIC_SECRET, mnemonicSecret, workerService } from "./compose-worker.js";

/** The file name of the prod compose file. */
export const PROD_COMPOSE_FILE = "prod-docker-compose.yaml";
/** The worker's state folder in prod. */
export const PROD_STATE_DIR = "state/prod";

/** What was carried over from the dev file. */
export interface CarriedServices {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, unknown>;
  networks: Record<string, unknown>;
  secrets: Record<string, unknown>;
  configs: Record<string, unknown>;
  /** Names of the user's services carried as they are. */
  carried: string[];
  /** Whether the dev file's inference service is still the unedited sample (then prod gets the sample for prod). */
  sampleInference: boolean;
  /** References to local-network services that were dropped, as `service: depends_on chain`. */
  dropped: string[];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Names of named volumes, networks, secrets or configs a service uses. */
function referencedNames(
  service: Record<string, unknown>,
  key: "volumes" | "networks" | "secrets" | "configs",
): string[] {
  const value = service[key];
  const names: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === "string") {
        const source = key === "volumes" ? item.split(":")[0] : item;
        if (source && (key !== "volumes" || !/^[./~]/.test(source))) names.push(source);
      } else {
        const source = asRecord(item).source;
        if (typeof source === "string" && (key !== "volumes" || !/^[./~]/.test(source))) names.push(source);
      }
    }
  } else if (value && typeof value === "object") {
    names.push(...Object.keys(value));
  }
  return names;
}

/**
 * The services of the dev file that are the user's own: everything except the local network (chain, head) and the
 * worker itself. `depends_on` entries that name the local network are dropped, as are the top-level volumes,
 * networks, secrets and configs nothing carried uses.
 */
export function carryServices(devText: string | undefined, config: ProjectConfig): CarriedServices {
  const out: CarriedServices = {
    services: {},
    volumes: {},
    networks: {},
    secrets: {},
    configs: {},
    carried: [],
    sampleInference: false,
    dropped: [],
  };
  if (devText === undefined) return out;
  const dev = asRecord(parse(devText));
  const services = asRecord(dev.services);
  const left = new Set<string>([...NETWORK_SERVICES, config.name]);
  const sample = sampleInferenceService(config, "http://chain:1317");
  for (const [name, raw] of Object.entries(services)) {
    if (left.has(name)) continue;
    const service = { ...asRecord(raw) };
    if (name === config.inference.service) {
      const { ports: _ports, depends_on: _deps, ...rest } = service;
      if (isDeepStrictEqual(rest, sample)) {
        out.sampleInference = true;
        continue;
      }
    }
    const deps = service.depends_on;
    if (Array.isArray(deps)) {
      const kept = deps.filter((d) => !left.has(String(d)));
      for (const d of deps.filter((d) => left.has(String(d)))) out.dropped.push(`${name}: depends_on ${String(d)}`);
      if (kept.length > 0) service.depends_on = kept;
      else delete service.depends_on;
    } else if (deps && typeof deps === "object") {
      const kept: Record<string, unknown> = {};
      for (const [d, cond] of Object.entries(deps)) {
        if (left.has(d)) out.dropped.push(`${name}: depends_on ${d}`);
        else kept[d] = cond;
      }
      if (Object.keys(kept).length > 0) service.depends_on = kept;
      else delete service.depends_on;
    }
    out.services[name] = service;
    out.carried.push(name);
    for (const key of ["volumes", "networks", "secrets", "configs"] as const) {
      const top = asRecord(dev[key]);
      for (const ref of referencedNames(service, key)) {
        if (key === "secrets" && ref === MNEMONIC_SECRET) continue;
        if (ref in top) out[key][ref] = top[ref];
      }
    }
  }
  return out;
}

/** What prod needs from config.yaml that is not set, as sentences. */
export function missingProdSettings(config: ProjectConfig): string[] {
  const missing: string[] = [];
  if (config.prod.boot_nodes.length === 0) {
    missing.push("prod.boot_nodes: the heads of the network to join (--boot-nodes /dns4/head.example.org/tcp/9010)");
  }
  if (!config.prod.chain_rpc) missing.push("prod.chain_rpc: the chain's RPC URL (--chain-rpc https://rpc.example.org)");
  if (!config.prod.chain_rest) {
    missing.push("prod.chain_rest: the chain's REST URL (--chain-rest https://rest.example.org)");
  }
  return missing;
}

/** The model of the prod compose file; throws when config.yaml lacks what prod needs. */
export function prodComposeModel(config: ProjectConfig, carried: CarriedServices, cliVersion: string): ComposeModel {
  const missing = missingProdSettings(config);
  if (missing.length > 0) {
    throw new CliError("CONFIG_INVALID", `config.yaml lacks what prod needs:\n  ${missing.join("\n  ")}`, {
      hint: "set them in config.yaml, or pass the flags shown to `allocmd init --env prod` (they are saved there)",
    });
  }
  const services: Record<string, Record<string, unknown>> = {};
  const comments: Record<string, string> = {};
  const inference = config.inference.service;
  const inferenceServed = carried.sampleInference || inference in carried.services;
  services[config.name] = workerService(
    config,
    {
      bootNodes: config.prod.boot_nodes,
      chainId: config.prod.chain_id,
      chainRpc: config.prod.chain_rpc,
      chainRest: config.prod.chain_rest,
      ...(config.prod.faucet_url ? { faucetUrl: config.prod.faucet_url } : {}),
      announce: config.prod.announce,
      inferenceUrl: `http://${inference}:${config.inference.port}`,
    },
    {
      stateDir: PROD_STATE_DIR,
      tag: "prod",
      ports: [`${config.worker.p2p_port}:${config.worker.p2p_port}`],
      dependsOn: inferenceServed ? { [inference]: { condition: "service_started" } } : {},
    },
  );
  comments[config.name] = "This worker, joining the network of config.yaml's prod section.";
  if (carried.sampleInference) {
    services[inference] = sampleInferenceService(config, config.prod.chain_rest);
    comments[inference] =
      "The sample model server (unchanged in the dev file), reading prices from the prod chain.\n" +
      "Replace it with your model service in dev-docker-compose.yaml, then run `allocmd init --env prod` again.";
  }
  for (const [name, service] of Object.entries(carried.services)) {
    services[name] = service;
    comments[name] = "Carried over from dev-docker-compose.yaml (your service).";
  }
  return {
    header: [
      `Generated by allocmd ${cliVersion} from config.yaml (prod section) and your services in dev-docker-compose.yaml.`,
      "Run it on the server:  docker-compose -f prod-docker-compose.yaml up --build -d",
      "Regenerate after editing config.yaml or the dev file: allocmd init --env prod (your edits here are kept).",
      "No secret is in this file: keys/ is mounted read-only and the mnemonic is a secret file; copy keys/, the",
      `mnemonic file and .env to the server yourself (never through git).`,
    ].join("\n"),
    services,
    serviceComments: comments,
    volumes: carried.volumes,
    networks: carried.networks,
    secrets: { ...carried.secrets, ...mnemonicSecret(config) },
    configs: carried.configs,
  };
}

/** The text of `prod-docker-compose.yaml`. */
export function renderProdCompose(config: ProjectConfig, carried: CarriedServices, cliVersion: string): string {
  return renderCompose(prodComposeModel(config, carried, cliVersion));
}
