/**
 * Which heads this worker obeys. A head is trusted when its peer id is pinned for one of the worker's boot nodes or
 * listed in `--trusted-heads`. A boot node given as `/…/p2p/<id>` is pinned to that id. One given without an id is
 * learned on the first connection the worker itself dials to that address and then pinned in
 * `<data-dir>/known-heads.json`, like SSH's known hosts: when a later connection to the same address finds another
 * peer id, the worker refuses it and says how to accept the new key. Nothing a peer sends can add itself here.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { AlloraError, type Logger } from "@allora/protocol";

/** Options of {@link createTrustedHeads}. */
export interface TrustedHeadsOptions {
  /** Boot node multiaddrs as configured (`/dns4/head/tcp/9010`, optionally with `/p2p/<id>`). */
  bootNodes: readonly string[];
  /** Peer ids trusted whatever their address (`--trusted-heads`). */
  explicit: readonly string[];
  /** The known-heads file (`<data-dir>/known-heads.json`). */
  knownHeadsFile: string;
  logger: Logger;
}

/** The trusted heads. */
export interface TrustedHeads {
  /** Whether `peer` is a trusted head. */
  isTrusted(peer: string): boolean;
  /**
   * Judges a connection the worker dialed to boot node `addr`: pins a first-seen id, accepts a pinned one, refuses
   * another (`HEAD_ID_CHANGED`, logged with the remedy).
   */
  admitBootConnection(addr: string, peer: string): Promise<boolean>;
  /** The trusted peer ids with where each comes from. */
  list(): Array<{ peer: string; source: string }>;
}

/** Loads the known-heads file and creates the trust set. */
export async function createTrustedHeads(options: TrustedHeadsOptions): Promise<TrustedHeads> {
  const { logger, knownHeadsFile } = options;
  const known = new Map<string, string>(Object.entries(await readKnownHeads(knownHeadsFile)));
  /** Pinned id by boot address (without its `/p2p/` part). */
  const pinned = new Map<string, { peer: string; source: string }>();
  for (const addr of options.bootNodes) {
    const id = /\/p2p\/([^/]+)$/.exec(addr)?.[1];
    const key = addressKey(addr);
    if (id) pinned.set(key, { peer: id, source: `boot node ${addr}` });
    else {
      const learned = known.get(key);
      if (learned) pinned.set(key, { peer: learned, source: `${knownHeadsFile} (${key})` });
    }
  }
  const explicit = new Set(options.explicit);
  const refusedChanged = new Set<string>();

  const save = async () => {
    const tmp = `${knownHeadsFile}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(Object.fromEntries(known), null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, knownHeadsFile);
  };

  return {
    isTrusted(peer) {
      if (explicit.has(peer)) return true;
      for (const entry of pinned.values()) if (entry.peer === peer) return true;
      return false;
    },
    async admitBootConnection(addr, peer) {
      const key = addressKey(addr);
      const entry = pinned.get(key);
      if (entry?.peer === peer) return true;
      if (entry) {
        if (!refusedChanged.has(`${key}/${peer}`)) {
          refusedChanged.add(`${key}/${peer}`);
          logger.error(
            { code: "HEAD_ID_CHANGED", boot: key, expected: entry.peer, found: peer, pinnedIn: entry.source },
            `the head at ${key} is now ${peer}, but this worker trusts ${entry.peer} there (${entry.source}); ` +
              `if that head's key was replaced on purpose, remove "${key}" from ${knownHeadsFile} (or give the boot node as ${key}/p2p/${peer}) and restart`,
          );
        }
        return false;
      }
      known.set(key, peer);
      pinned.set(key, { peer, source: `${knownHeadsFile} (${key})` });
      await save();
      logger.info({ boot: key, peer, file: knownHeadsFile }, "learned and pinned the head's peer id");
      return true;
    },
    list() {
      const out = [...pinned.values()];
      for (const peer of explicit) out.push({ peer, source: "--trusted-heads" });
      return out;
    },
  };
}

/** A boot address without its `/p2p/<id>` part: the key the known-heads file uses. */
function addressKey(addr: string): string {
  return addr.replace(/\/p2p\/[^/]+$/, "");
}

async function readKnownHeads(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
  } catch (err) {
    throw new AlloraError(
      "KNOWN_HEADS_INVALID",
      `${file} is not a JSON object of boot address to peer id (${(err as Error).message}); fix or delete it`,
    );
  }
}
