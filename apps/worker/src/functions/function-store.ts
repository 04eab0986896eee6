/**
 * The worker's function store: resolves a function id (after aliases) to a CID, installs the package on first use
 * (from the head that roll-called, then from configured gateways), verifies every byte against the CID before
 * unpacking, and keeps the verified archive so a restart re-verifies instead of trusting the disk.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AlloraError,
  errorMessage,
  type FunctionManifest,
  httpCall,
  isVerifiableCid,
  type Logger,
  MAX_FUNCTION_PACKAGE_BYTES,
  resolveFunctionId,
  unpackFunctionPackage,
  verifyCid,
} from "@allora/protocol";

/** A package ready to run. */
export interface InstalledFunction {
  cid: string;
  dir: string;
  manifest: FunctionManifest;
}

/** Where a package may come from. */
export interface PackageSource {
  describe: string;
  fetch(cid: string): Promise<Uint8Array>;
}

/** Options of {@link createFunctionStore}. */
export interface FunctionStoreOptions {
  dir: string;
  aliases: ReadonlyMap<string, string>;
  gateways: readonly string[];
  logger: Logger;
}

/** The store. */
export interface FunctionStore {
  /** Loads and re-verifies what is already installed. */
  start(): Promise<void>;
  /** The CID a function id stands for. */
  resolve(functionId: string): string;
  get(functionId: string): InstalledFunction | undefined;
  /** Installs if needed (one install per CID at a time), trying `first` before the gateways. */
  ensure(functionId: string, first?: PackageSource): Promise<InstalledFunction>;
  list(): InstalledFunction[];
}

/** Downloads a package from `url`, no larger than a package may be. */
async function download(url: string): Promise<Uint8Array> {
  const answer = await httpCall(url, { timeoutMs: 15_000, maxResponseBytes: MAX_FUNCTION_PACKAGE_BYTES });
  if (answer.status < 200 || answer.status > 299) throw new Error(`HTTP ${answer.status}`);
  return answer.bytes;
}

function gatewaySource(base: string): PackageSource {
  const root = base.replace(/\/+$/, "");
  return { describe: `gateway ${root}`, fetch: (cid) => download(`${root}/${cid}`) };
}

/** A package offered at one URL (an install request's `uri`); its bytes are verified against the CID like any other. */
export function urlSource(url: string): PackageSource {
  return { describe: `uri ${url}`, fetch: () => download(url) };
}

/** Creates the store. */
export function createFunctionStore(options: FunctionStoreOptions): FunctionStore {
  const archives = join(options.dir, "packages");
  const unpacked = join(options.dir, "unpacked");
  const installed = new Map<string, InstalledFunction>();
  const inflight = new Map<string, Promise<InstalledFunction>>();
  const gateways = options.gateways.map(gatewaySource);

  const place = async (cid: string, bytes: Uint8Array): Promise<InstalledFunction> => {
    const dir = join(unpacked, cid);
    await rm(dir, { recursive: true, force: true });
    const manifest = await unpackFunctionPackage(cid, bytes, dir);
    const fn = { cid, dir, manifest };
    installed.set(cid, fn);
    return fn;
  };

  const install = async (cid: string, first?: PackageSource): Promise<InstalledFunction> => {
    const sources = [...(first ? [first] : []), ...gateways];
    if (sources.length === 0) {
      throw new AlloraError("FUNCTION_INSTALL_FAILED", `function ${cid} is not installed and no source can provide it`);
    }
    const failures: string[] = [];
    let mismatch = false;
    for (const source of sources) {
      let bytes: Uint8Array;
      try {
        bytes = await source.fetch(cid);
        verifyCid(cid, bytes);
      } catch (err) {
        if (err instanceof AlloraError && err.code === "FUNCTION_CID_MISMATCH") mismatch = true;
        failures.push(`${source.describe}: ${errorMessage(err)}`);
        options.logger.warn(
          { code: (err as AlloraError).code ?? "FUNCTION_FETCH_FAILED", cid, source: source.describe },
          `could not install function from ${source.describe}: ${errorMessage(err)}`,
        );
        continue;
      }
      const fn = await place(cid, bytes);
      // Keep the archive only once it unpacked, so a restart re-verifies packages that actually work.
      await mkdir(archives, { recursive: true });
      await writeFile(join(archives, `${cid}.tar`), bytes);
      options.logger.info(
        { cid, name: fn.manifest.name, source: source.describe },
        "function installed (CID verified)",
      );
      return fn;
    }
    throw new AlloraError(
      mismatch ? "FUNCTION_CID_MISMATCH" : "FUNCTION_INSTALL_FAILED",
      `cannot install function ${cid}: ${failures.join("; ")}`,
      { details: { cid, failures } },
    );
  };

  return {
    async start() {
      await mkdir(archives, { recursive: true });
      for (const name of await readdir(archives)) {
        const cid = name.replace(/\.tar$/, "");
        if (!name.endsWith(".tar") || !isVerifiableCid(cid)) continue;
        try {
          await place(cid, new Uint8Array(await readFile(join(archives, name))));
        } catch (err) {
          options.logger.warn(
            { code: (err as AlloraError).code ?? "FUNCTION_PACKAGE_INVALID", cid },
            `dropping stored package that no longer verifies: ${errorMessage(err)}`,
          );
          await rm(join(archives, name), { force: true });
        }
      }
      if (installed.size > 0) options.logger.info({ count: installed.size }, "re-verified installed functions");
    },
    resolve(functionId) {
      return resolveFunctionId(functionId, options.aliases);
    },
    get(functionId) {
      return installed.get(resolveFunctionId(functionId, options.aliases));
    },
    ensure(functionId, first) {
      const cid = resolveFunctionId(functionId, options.aliases);
      const ready = installed.get(cid);
      if (ready) return Promise.resolve(ready);
      if (!isVerifiableCid(cid)) {
        return Promise.reject(
          new AlloraError(
            "FUNCTION_CID_UNSUPPORTED",
            `function id ${functionId} is not a package CID (CIDv1 raw sha256) and no alias maps it to one`,
          ),
        );
      }
      let pending = inflight.get(cid);
      if (!pending) {
        pending = install(cid, first).finally(() => inflight.delete(cid));
        inflight.set(cid, pending);
      }
      return pending;
    },
    list() {
      return [...installed.values()];
    },
  };
}
