/**
 * The ports the dev network publishes on this machine (config.yaml's dev section), and which of them something
 * already holds: `allocmd run` refuses to start on a taken one, `allocmd doctor` reports them.
 */
import { findPortOwner } from "@allora/devnet/ports";
import type { ProjectConfig } from "../config/schema.js";
import { isPortFree } from "../docker/join-container.js";
import { devDashboardPort } from "../scaffold/compose-dev.js";

/** A published port and what it is for. */
export interface DevHostPort {
  role: string;
  port: number;
}

/** Every host port of the dev network; `labels` name the model server's and the worker's in messages. */
export function devHostPorts(config: ProjectConfig, labels: { inference: string; worker: string }): DevHostPort[] {
  return [
    { role: "head REST", port: config.dev.head_rest_port },
    { role: "head p2p", port: config.dev.head_p2p_port },
    { role: "chain RPC", port: config.dev.chain_rpc_port },
    { role: "chain REST", port: config.dev.chain_rest_port },
    { role: "dashboard", port: devDashboardPort(config) },
    { role: labels.inference, port: config.inference.port },
    { role: labels.worker, port: config.worker.http_port },
  ];
}

/** The ports of `ports` that are taken, each with the process holding it when /proc tells. */
export async function takenHostPorts(ports: readonly DevHostPort[]): Promise<Array<DevHostPort & { owner?: string }>> {
  const taken: Array<DevHostPort & { owner?: string }> = [];
  for (const p of ports) {
    if (await isPortFree(p.port)) continue;
    const owner = await findPortOwner(p.port);
    taken.push({ ...p, ...(owner ? { owner } : {}) });
  }
  return taken;
}
