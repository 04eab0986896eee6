/**
 * The Cosmos SDK REST paths clients use: accounts, balances, broadcasting a tx, looking one up, node info.
 */
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import type { FastifyInstance } from "fastify";
import { ChainError } from "../../errors.js";
import { isAccountAddress } from "../../state/address.js";
import { COMET_VERSION } from "../rpc/comet-views.js";
import { errorBody } from "./error-body.js";
import type { RestContext } from "./rest-context.js";
import { ADDRESS_PARAM, paramsSchema } from "./route-schemas.js";
import { accountJson, balancesJson, txResponseJson } from "./views.js";

const BROADCAST_MODES = ["BROADCAST_MODE_SYNC", "BROADCAST_MODE_ASYNC", "BROADCAST_MODE_BLOCK"] as const;

function assertAddress(address: string): void {
  if (!isAccountAddress(address)) throw new ChainError("INVALID_ADDRESS", `"${address}" is not an allo1… address`);
}

export function registerCosmosRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { chain } = ctx;

  app.get<{ Params: { address: string } }>(
    "/cosmos/auth/v1beta1/accounts/:address",
    { schema: { params: paramsSchema({ address: ADDRESS_PARAM }) } },
    async (request, reply) => {
      assertAddress(request.params.address);
      const account = chain.state.account(request.params.address);
      if (!account) {
        const err = new ChainError(
          "NOT_FOUND",
          `rpc error: code = NotFound desc = account ${request.params.address} not found`,
        );
        return reply.code(404).send(errorBody(err));
      }
      return { account: accountJson(account) };
    },
  );

  app.get<{ Params: { address: string } }>(
    "/cosmos/bank/v1beta1/balances/:address",
    { schema: { params: paramsSchema({ address: ADDRESS_PARAM }) } },
    async (request) => {
      assertAddress(request.params.address);
      const balances = balancesJson(chain.state.account(request.params.address));
      return { balances, pagination: { next_key: null, total: String(balances.length) } };
    },
  );

  app.get<{ Params: { address: string }; Querystring: { denom: string } }>(
    "/cosmos/bank/v1beta1/balances/:address/by_denom",
    {
      schema: {
        params: paramsSchema({ address: ADDRESS_PARAM }),
        querystring: paramsSchema({ denom: { type: "string", minLength: 1, maxLength: 128 } }),
      },
    },
    async (request) => {
      assertAddress(request.params.address);
      const { denom } = request.query;
      return { balance: { denom, amount: chain.state.balance(request.params.address, denom).toString() } };
    },
  );

  app.post<{ Body: { tx_bytes: string; mode?: (typeof BROADCAST_MODES)[number] } }>(
    "/cosmos/tx/v1beta1/txs",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            tx_bytes: { type: "string", minLength: 1 },
            mode: { type: "string", enum: [...BROADCAST_MODES] },
          },
          required: ["tx_bytes"],
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64(request.body.tx_bytes);
      } catch {
        throw new ChainError("TX_DECODE_FAILED", "tx_bytes is not base64");
      }
      const checked = await chain.checkTx(bytes);
      const pending = {
        height: "0",
        txhash: checked.hash,
        codespace: checked.codespace,
        code: checked.code,
        data: "",
        raw_log: checked.log,
        logs: [],
        info: "",
        gas_wanted: checked.gasWanted.toString(),
        gas_used: checked.gasUsed.toString(),
        tx: null,
        timestamp: "",
        events: [],
      };
      if (checked.code !== 0 || request.body.mode !== "BROADCAST_MODE_BLOCK") return { tx_response: pending };
      const tx = await chain.waitForTx(checked.hash, ctx.commitTimeoutMs);
      return { tx_response: txResponseJson(tx) };
    },
  );

  app.get<{ Params: { hash: string } }>(
    "/cosmos/tx/v1beta1/txs/:hash",
    { schema: { params: paramsSchema({ hash: { type: "string", pattern: "^(0x)?[0-9a-fA-F]{64}$" } }) } },
    async (request) => {
      const hash = request.params.hash.replace(/^0x/, "").toUpperCase();
      const tx = chain.tx(hash);
      if (!tx) throw new ChainError("NOT_FOUND", `tx not found: ${hash}`);
      return { tx: null, tx_response: txResponseJson(tx), tx_bytes: toBase64(tx.bytes) };
    },
  );

  app.get("/cosmos/base/tendermint/v1beta1/node_info", async () => ({
    default_node_info: {
      default_node_id: ctx.identity.nodeId,
      network: chain.chainId,
      version: COMET_VERSION,
      moniker: ctx.identity.moniker,
    },
    application_version: { name: "allora-localnet", app_name: "allora-chain", version: ctx.appVersion },
  }));

  app.get("/cosmos/base/tendermint/v1beta1/blocks/latest", async () => {
    const latest = chain.latestBlock();
    if (!latest) throw new ChainError("NOT_FOUND", "no block committed yet");
    return {
      block_id: { hash: toBase64(Buffer.from(latest.hash, "hex")) },
      block: {
        header: {
          chain_id: chain.chainId,
          height: latest.height.toString(),
          time: new Date(latest.timeMs).toISOString(),
        },
      },
    };
  });
}
