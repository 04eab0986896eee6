/**
 * The CometBFT JSON-RPC methods the chain answers. Params arrive as JSON-RPC named params (POST) or as URI query
 * values (GET /status, /tx?hash=0x…); both are read leniently the way CometBFT does (numbers may be strings,
 * strings may be quoted).
 */
import { fromBase64, fromHex, toBase64, toHex } from "@cosmjs/encoding";
import type { Chain } from "../../chain/chain.js";
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from "../../chain/tx-index.js";
import { parseTxQuery } from "../../chain/tx-query.js";
import { isChainError } from "../../errors.js";
import { abciQuery } from "./abci-query.js";
import {
  blockJson,
  blockMetaJson,
  headerJson,
  type NodeIdentity,
  rfc3339,
  statusJson,
  txJson,
  txResultJson,
} from "./comet-views.js";

/** A JSON-RPC error (CometBFT uses -32603 "Internal error" with the reason in `data`). */
export class RpcError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data: string,
  ) {
    super(message);
  }
}

const invalidParams = (data: string) => new RpcError(-32602, "Invalid params", data);
const internal = (data: string) => new RpcError(-32603, "Internal error", data);

/** What the methods need. */
export interface RpcContext {
  chain: Chain;
  identity: NodeIdentity;
  rpcAddress: string;
  appVersion: string;
  /** How long broadcast_tx_commit waits for the block. */
  commitTimeoutMs: number;
}

type Params = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = String(value);
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function optionalInt(params: Params, name: string): number | undefined {
  const raw = text(params[name]);
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw)) throw invalidParams(`${name} must be a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** Bytes given as hex (with or without 0x) or base64. */
function bytesParam(params: Params, name: string, prefer: "hex" | "base64"): Uint8Array {
  const raw = text(params[name]);
  if (raw === undefined) throw invalidParams(`${name} is required`);
  try {
    if (raw.startsWith("0x")) return fromHex(raw.slice(2));
    if (prefer === "hex" && /^[0-9a-fA-F]*$/.test(raw) && raw.length % 2 === 0) return fromHex(raw);
    return fromBase64(raw);
  } catch {
    throw invalidParams(`${name} is neither hex nor base64`);
  }
}

function heightParam(ctx: RpcContext, params: Params): bigint {
  const h = optionalInt(params, "height");
  const latest = ctx.chain.height();
  if (h === undefined || h === 0) return latest;
  if (BigInt(h) > latest)
    throw internal(`height ${h} must be less than or equal to the current blockchain height ${latest}`);
  return BigInt(h);
}

async function broadcast(ctx: RpcContext, params: Params) {
  const bytes = bytesParam(params, "tx", "base64");
  const checked = await ctx.chain.checkTx(bytes);
  return { code: checked.code, data: "", log: checked.log, codespace: checked.codespace, hash: checked.hash };
}

type Method = (ctx: RpcContext, params: Params) => unknown | Promise<unknown>;

export const RPC_METHODS: Record<string, Method> = {
  health: () => ({}),

  status: (ctx) => statusJson(ctx.chain, ctx.identity, ctx.rpcAddress),

  abci_info: (ctx) => ({
    response: {
      data: "allora-localnet",
      version: ctx.appVersion,
      app_version: "1",
      last_block_height: ctx.chain.height().toString(),
      last_block_app_hash: toBase64(fromHex(ctx.chain.latestBlock()?.appHash ?? ctx.chain.genesis.hash)),
    },
  }),

  abci_query: async (ctx, params) => {
    const path = text(params.path);
    if (!path) throw invalidParams("path is required");
    const data = params.data === undefined || params.data === "" ? new Uint8Array() : bytesParam(params, "data", "hex");
    const result = await abciQuery(ctx.chain, path, data);
    return {
      response: {
        code: result.code,
        log: result.log,
        info: "",
        index: "0",
        key: null,
        value: toBase64(result.value),
        proofOps: null,
        height: ctx.chain.height().toString(),
        codespace: result.codespace,
      },
    };
  },

  broadcast_tx_sync: broadcast,
  broadcast_tx_async: broadcast,

  broadcast_tx_commit: async (ctx, params) => {
    const checked = await broadcast(ctx, params);
    const checkTx = {
      code: checked.code,
      data: "",
      log: checked.log,
      codespace: checked.codespace,
      gas_wanted: "0",
      gas_used: "0",
      events: [],
    };
    if (checked.code !== 0) return { check_tx: checkTx, tx_result: null, hash: checked.hash, height: "0" };
    try {
      const tx = await ctx.chain.waitForTx(checked.hash, ctx.commitTimeoutMs);
      return { check_tx: checkTx, tx_result: txResultJson(tx.result), hash: tx.hash, height: tx.height.toString() };
    } catch (err) {
      throw internal(isChainError(err) ? err.log : String(err));
    }
  },

  tx: (ctx, params) => {
    // JSON-RPC clients send the hash as base64 bytes; people typing URLs often paste the hex.
    const raw = text(params.hash) ?? "";
    const hash = /^[0-9A-Fa-f]{64}$/.test(raw)
      ? raw.toUpperCase()
      : toHex(bytesParam(params, "hash", "base64")).toUpperCase();
    const tx = ctx.chain.tx(hash);
    if (!tx) throw internal(`tx (${hash}) not found`);
    return txJson(tx);
  },

  tx_search: (ctx, params) => {
    const query = text(params.query);
    if (!query) throw invalidParams("query is required");
    let conditions: ReturnType<typeof parseTxQuery>;
    try {
      conditions = parseTxQuery(query);
    } catch (err) {
      throw internal(isChainError(err) ? err.message : String(err));
    }
    const page = optionalInt(params, "page") ?? 1;
    const perPage = Math.min(Math.max(optionalInt(params, "per_page") ?? DEFAULT_PER_PAGE, 1), MAX_PER_PAGE);
    const orderBy = (text(params.order_by) ?? "asc").toLowerCase();
    if (page < 1) throw invalidParams("page must be at least 1");
    if (orderBy !== "asc" && orderBy !== "desc" && orderBy !== "")
      throw invalidParams('order_by must be "asc" or "desc"');
    const { total, txs } = ctx.chain.txs.search(conditions, {
      page,
      perPage,
      order: orderBy === "desc" ? "desc" : "asc",
    });
    return { txs: txs.map(txJson), total_count: String(total) };
  },

  block: (ctx, params) => {
    const meta = ctx.chain.block(heightParam(ctx, params));
    if (!meta) throw internal("no block committed yet");
    return blockJson(ctx.chain, meta, ctx.identity);
  },

  block_results: (ctx, params) => {
    const meta = ctx.chain.block(heightParam(ctx, params));
    if (!meta) throw internal("no block committed yet");
    return {
      height: meta.height.toString(),
      txs_results: meta.txHashes.map((h) => txResultJson(ctx.chain.tx(h)!.result)),
      finalize_block_events: meta.events.map((e) => ({
        type: `allora.localnet.v1.${e.type}`,
        attributes: Object.entries(e)
          .filter(([k]) => k !== "type")
          .map(([key, value]) => ({
            key,
            value: typeof value === "string" ? value : JSON.stringify(value),
            index: true,
          })),
      })),
      validator_updates: [],
      consensus_param_updates: null,
      app_hash: toBase64(fromHex(meta.appHash)),
    };
  },

  blockchain: (ctx, params) => {
    const latest = ctx.chain.height();
    const max = BigInt(Math.min(Number(optionalInt(params, "maxHeight") ?? latest), Number(latest)));
    const min = BigInt(Math.max(optionalInt(params, "minHeight") ?? 1, 1, Number(max) - 19));
    const metas = [];
    for (let h = max; h >= min; h--) {
      const meta = ctx.chain.block(h);
      if (meta) metas.push(blockMetaJson(ctx.chain, meta, ctx.identity));
    }
    return { last_height: latest.toString(), block_metas: metas };
  },

  commit: (ctx, params) => {
    const meta = ctx.chain.block(heightParam(ctx, params));
    if (!meta) throw internal("no block committed yet");
    return {
      signed_header: {
        header: headerJson(ctx.chain, meta, ctx.identity),
        commit: {
          height: meta.height.toString(),
          round: 0,
          block_id: blockJson(ctx.chain, meta, ctx.identity).block_id,
          signatures: [],
        },
      },
      canonical: true,
    };
  },

  validators: (ctx) => ({
    block_height: ctx.chain.height().toString(),
    validators: [
      {
        address: ctx.identity.validatorAddress,
        pub_key: { type: "tendermint/PubKeyEd25519", value: ctx.identity.validatorPubkey },
        voting_power: "10",
        proposer_priority: "0",
      },
    ],
    count: "1",
    total: "1",
  }),

  genesis: (ctx) => {
    const g = ctx.chain.genesis;
    return {
      genesis: {
        genesis_time: rfc3339(g.genesisTimeMs),
        chain_id: g.chainId,
        initial_height: "1",
        consensus_params: {
          block: { max_bytes: "22020096", max_gas: "-1" },
          evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
          validator: { pub_key_types: ["ed25519"] },
          version: { app: "0" },
        },
        validators: [],
        app_hash: "",
        // The market seed stays secret: it would reveal every future price.
        app_state: {
          accounts: g.accounts.map((a) => ({
            address: a.address,
            coins: a.coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
          })),
          topics: g.topics.map((t, i) => ({
            id: String(i + 1),
            metadata: t.metadata,
            inference_logic: t.inferenceLogic,
            inference_method: t.inferenceMethod,
            inference_cadence: t.inferenceCadence.toString(),
            default_arg: t.defaultArg,
            loss_method: t.lossMethod,
            ground_truth_lag: t.groundTruthLag.toString(),
            submission_window: t.submissionWindow.toString(),
          })),
        },
      },
    };
  },

  num_unconfirmed_txs: (ctx) => ({
    n_txs: String(ctx.chain.mempoolSize()),
    total: String(ctx.chain.mempoolSize()),
    total_bytes: "0",
    txs: null,
  }),
};
