/**
 * Port checks before a network starts: which ports are taken, and by which process (read from /proc, no tools
 * needed), so a second `pnpm dev` says what holds the port instead of failing with a stack trace.
 */
import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer } from "node:net";
import type { NetworkDescription } from "./description.js";

/** A port that is taken. */
export interface TakenPort {
  node: string;
  role: string;
  port: number;
  /** "pid 1234: node …/head.js", when it can be found. */
  owner?: string;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== "0A") continue; // 0A = LISTEN
      if (Number.parseInt(local.split(":")[1] ?? "", 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** The process listening on `port`, as "pid N: command line", when /proc tells. */
export async function findPortOwner(port: number): Promise<string | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = (await readdir("/proc")).filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1] as string)) {
        const cmd = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""))
          .split("\0")
          .filter(Boolean)
          .join(" ");
        return `pid ${pid}: ${cmd.slice(0, 160)}`;
      }
    }
  }
  return undefined;
}

/** Every port of the network that is already taken, with its owner when known. */
export async function findTakenPorts(network: NetworkDescription): Promise<TakenPort[]> {
  const taken: TakenPort[] = [];
  for (const node of network.nodes) {
    for (const [role, port] of Object.entries(node.ports)) {
      if (await isFree(port)) continue;
      const owner = await findPortOwner(port);
      taken.push({ node: node.name, role, port, ...(owner ? { owner } : {}) });
    }
  }
  return taken;
}

/**
 * A base port whose block of `size` ports is free right now (for test networks). Below Linux's ephemeral range
 * (32768+) by default: there an outgoing connection's source port could take one of the block between this check
 * and the node's listen (seen as EADDRINUSE in a benchmark making thousands of connections).
 */
export async function findFreePortBlock(size: number, from = 20_000, to = 32_700): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * ((to - from - size) / 100)) * 100;
    let ok = true;
    for (let p = base; p < base + size && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error(`no free block of ${size} ports found between ${from} and ${to}`);
}
