/**
 * The function packages a head serves to its workers (the built-in runner and echo packages plus any `.tar` in
 * `--functions-dir`), and the aliases requests may use for them.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultFunctionAliases, loadNodeFunctionPackages } from "@allora/node-function";
import {
  AlloraError,
  computeCid,
  isVerifiableCid,
  type Logger,
  parseFunctionAliases,
  readFunctionPackage,
  resolveFunctionId,
} from "@allora/protocol";

/** A package the head serves. */
interface ServedFunction {
  cid: string;
  name: string;
  methods: readonly string[];
  bytes: Uint8Array;
}

/** The catalog. */
export interface FunctionCatalog {
  get(cid: string): ServedFunction | undefined;
  /** The CID a function id names; throws `FUNCTION_UNKNOWN` when it is neither an alias nor a CID. */
  resolve(functionId: string): string;
  list(): Array<{ cid: string; name: string; aliases: string[] }>;
}

/** The aliases of `--function-aliases` (`alias=cid` pairs), or the default ones when it is not set. */
export function functionAliasesOf(pairs: readonly string[] | undefined): ReadonlyMap<string, string> {
  return pairs ? parseFunctionAliases(pairs.join(",")) : defaultFunctionAliases();
}

/** Loads the catalog. */
export async function loadFunctionCatalog(options: {
  aliases: ReadonlyMap<string, string>;
  functionsDir: string | undefined;
  logger: Logger;
}): Promise<FunctionCatalog> {
  const served = new Map<string, ServedFunction>();
  for (const pkg of loadNodeFunctionPackages())
    served.set(pkg.cid, { cid: pkg.cid, name: pkg.manifest.name, methods: pkg.manifest.methods, bytes: pkg.bytes });
  if (options.functionsDir) {
    for (const file of (await readdir(options.functionsDir)).filter((f) => f.endsWith(".tar")).sort()) {
      const bytes = new Uint8Array(await readFile(join(options.functionsDir, file)));
      try {
        const { manifest } = readFunctionPackage(bytes);
        const cid = computeCid(bytes);
        served.set(cid, { cid, name: manifest.name, methods: manifest.methods, bytes });
      } catch (err) {
        options.logger.warn({ code: (err as AlloraError).code, file }, `skipping ${file}: ${(err as Error).message}`);
      }
    }
  }
  for (const fn of served.values()) options.logger.info({ cid: fn.cid, name: fn.name }, "serving function package");
  return {
    get: (cid) => served.get(cid),
    resolve(functionId) {
      const cid = resolveFunctionId(functionId, options.aliases);
      if (!isVerifiableCid(cid)) {
        throw new AlloraError(
          "FUNCTION_UNKNOWN",
          `function_id "${functionId}" is neither a configured alias nor a package CID (bafkrei…); known: ${[...options.aliases.keys(), ...served.keys()].join(", ")}`,
        );
      }
      return cid;
    },
    list: () =>
      [...served.values()].map((f) => ({
        cid: f.cid,
        name: f.name,
        aliases: [...options.aliases].filter(([, target]) => target === f.cid).map(([alias]) => alias),
      })),
  };
}
