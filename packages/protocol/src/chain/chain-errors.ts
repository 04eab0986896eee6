/**
 * A chain's refusal of a transaction, read back from what cosmjs throws or returns, as an {@link AlloraError} named by
 * the chain's own catalogue ({@link CHAIN_ERRORS}).
 */
import { AlloraError } from "../errors.js";
import { CHAIN_ERRORS, type ChainErrorCode } from "./chain-error-table.js";

/**
 * The name of a chain refusal from its Cosmos `code`, its `codespace` when known (cosmjs's simulation errors drop it)
 * and its log, whose last part is the error's short text; undefined when the chain defines no such refusal.
 *
 * @example
 * ```ts
 * chainRefusalCode(32, "sdk") // "SEQUENCE_MISMATCH"
 * chainRefusalCode(102, undefined, "… : address is already registered in this topic") // "ALREADY_REGISTERED"
 * ```
 */
export function chainRefusalCode(code: number, codespace?: string, log = ""): ChainErrorCode | undefined {
  const candidates = (Object.keys(CHAIN_ERRORS) as ChainErrorCode[]).filter((name) => {
    const info = CHAIN_ERRORS[name];
    return info.code === code && (codespace === undefined || info.codespace === codespace);
  });
  // sdk 4 is both TX_SIGNATURE_INVALID and SIGNER_MISMATCH, sdk 13 and emissions 13 share a number: the log says which.
  const bySuffix = candidates.filter((name) => log.includes(CHAIN_ERRORS[name].suffix));
  if (bySuffix.includes("SIGNER_MISMATCH") && log.includes("is not the tx signer")) return "SIGNER_MISMATCH";
  if (bySuffix.length > 0) return bySuffix[0];
  return codespace === undefined ? undefined : candidates[0];
}

/** The Cosmos facts of a refusal: ABCI `code`, `codespace` (when known) and `log`. */
export interface ChainRefusalFacts {
  code: number;
  codespace: string | undefined;
  log: string;
}

/** The refusal facts of what cosmjs throws or returns, when it is one. */
function refusalFacts(source: unknown): ChainRefusalFacts | undefined {
  if (source !== null && typeof source === "object") {
    const o = source as { code?: unknown; codespace?: unknown; log?: unknown; rawLog?: unknown };
    // BroadcastTxError ({code, codespace, log}) and DeliverTxResponse ({code, rawLog}; codespace from 0.39's events).
    if (typeof o.code === "number" && o.code !== 0) {
      const log = typeof o.log === "string" ? o.log : typeof o.rawLog === "string" ? o.rawLog : "";
      return { code: o.code, codespace: typeof o.codespace === "string" ? o.codespace : undefined, log };
    }
  }
  const message = source instanceof Error ? source.message : typeof source === "string" ? source : "";
  const query = /Query failed with \((\d+)\): ([\s\S]*)$/.exec(message);
  if (query) return { code: Number(query[1]), codespace: undefined, log: query[2] ?? "" };
  const deliver = /Code: (\d+); Raw log: ([\s\S]*)$/.exec(message);
  if (deliver) return { code: Number(deliver[1]), codespace: undefined, log: deliver[2] ?? "" };
  const broadcast = /failed with code (\d+) \(codespace: ([^)]*)\)\. Log: ([\s\S]*)$/.exec(message);
  if (broadcast) return { code: Number(broadcast[1]), codespace: broadcast[2], log: broadcast[3] ?? "" };
  return undefined;
}

/**
 * The chain's refusal of a transaction as an {@link AlloraError} named by the chain's catalogue (`SEQUENCE_MISMATCH`,
 * `ALREADY_REGISTERED`, …, or `CHAIN_<code>` for a code it does not name), with `details` `{code, codespace, log}`;
 * undefined when `source` is not a refusal. `source` is what cosmjs throws (`BroadcastTxError`, `Query failed with
 * (102): …` from a simulation, `assertIsDeliverTxSuccess`'s error) or a `DeliverTxResponse` with a non-zero code.
 *
 * @example
 * ```ts
 * const result = await client.signAndBroadcast(address, messages, "auto").catch((err) => {
 *   throw chainRefusal(err) ?? err
 * })
 * if (result.code !== 0) throw chainRefusal(result)
 * ```
 */
export function chainRefusal(source: unknown): AlloraError<ChainErrorCode | `CHAIN_${number}`> | undefined {
  const facts = refusalFacts(source);
  if (facts === undefined) return undefined;
  const name = chainRefusalCode(facts.code, facts.codespace, facts.log);
  const codespace = facts.codespace ?? (name === undefined ? undefined : CHAIN_ERRORS[name].codespace);
  const code = name ?? (`CHAIN_${facts.code}` as const);
  return new AlloraError(code, `the chain refused the transaction (${codespace ?? "?"} ${facts.code}): ${facts.log}`, {
    ...(source instanceof Error ? { cause: source } : {}),
    details: { code: facts.code, codespace: codespace ?? null, log: facts.log },
  });
}
