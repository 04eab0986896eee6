/**
 * Function id aliases: names a request may use in `function_id` that stand for a package CID.
 */
import { AlloraError } from "../errors.js";
import type { ExecuteRequest } from "../rest/schemas.js";

/**
 * The function CID the allocmd guide's curl names (`allora-inference-function.wasm` on IPFS). Heads and workers
 * resolve it to this network's runner package, whose CID is what they verify against.
 */
export const GUIDE_FUNCTION_CID = "bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm";

/** The method name the guide's curl names. */
export const GUIDE_FUNCTION_METHOD = "allora-inference-function.wasm";

/**
 * Parses alias pairs `alias=cid` (comma separated, as in `--function-aliases`) into a map.
 *
 * @example
 * ```ts
 * parseFunctionAliases("bafybeig…=bafkrei…")  // Map { "bafybeig…" => "bafkrei…" }
 * ```
 */
export function parseFunctionAliases(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [alias, target, ...rest] = pair.split("=").map((s) => s.trim());
    if (!alias || !target || rest.length > 0) {
      throw new AlloraError("CONFIG_INVALID", `alias "${pair}" is not of the form <alias>=<cid>`);
    }
    out.set(alias, target);
  }
  return out;
}

/** Resolves `functionId` through `aliases` (one level; an alias never points to another alias). */
export function resolveFunctionId(functionId: string, aliases: ReadonlyMap<string, string>): string {
  return aliases.get(functionId) ?? functionId;
}

/**
 * The allocmd guide's execute request (its `curl` body) for a topic and argument: the guide's function CID and
 * method, `BLS_REQUEST_PATH` and `ALLORA_ARG_PARAMS`, every responding worker, a 2 s roll call.
 *
 * @example
 * ```ts
 * await createHeadClient("http://localhost:6000").execute(makeGuideExecuteRequest({ topic: "1", arg: "ETH" }))
 * ```
 */
export function makeGuideExecuteRequest(options: {
  topic: string;
  arg: string;
  numberOfNodes?: number;
  timeout?: number;
}): ExecuteRequest {
  return {
    function_id: GUIDE_FUNCTION_CID,
    method: GUIDE_FUNCTION_METHOD,
    parameters: null,
    topic: options.topic,
    config: {
      env_vars: [
        { name: "BLS_REQUEST_PATH", value: "/api" },
        { name: "ALLORA_ARG_PARAMS", value: options.arg },
      ],
      number_of_nodes: options.numberOfNodes ?? -1,
      timeout: options.timeout ?? 2,
    },
  };
}
