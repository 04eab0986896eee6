/**
 * The dev faucet: POST /faucet {address, amount?} answers once the funding transfer is committed.
 */
import type { FastifyInstance } from "fastify";
import { ChainError } from "../../errors.js";
import type { Faucet } from "../../faucet/faucet.js";
import type { RestContext } from "./rest-context.js";

function requireFaucet(ctx: RestContext): Faucet {
  if (!ctx.faucet) {
    throw new ChainError(
      "FAUCET_DISABLED",
      "this chain runs without a faucet; start it with --faucet-mnemonic-file (a 0600 file holding the faucet key's mnemonic)",
    );
  }
  return ctx.faucet;
}

export function registerFaucetRoutes(app: FastifyInstance, ctx: RestContext): void {
  app.get("/faucet", async () => {
    const faucet = requireFaucet(ctx);
    return {
      address: faucet.address,
      default_amount: faucet.defaultAmount.toString(),
      max_amount: faucet.maxAmount.toString(),
      limits: faucet.limits,
      balance: ctx.chain.state.balance(faucet.address, "uallo").toString(),
    };
  });

  app.post<{ Body: { address: string; amount?: string | number } }>(
    "/faucet",
    {
      schema: {
        body: {
          type: "object",
          properties: {
            address: { type: "string", minLength: 1, maxLength: 100 },
            amount: {
              anyOf: [
                { type: "string", pattern: "^[0-9]{1,30}$" },
                { type: "integer", minimum: 1 },
              ],
            },
          },
          required: ["address"],
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const faucet = requireFaucet(ctx);
      const { address, amount } = request.body;
      if (typeof amount === "number" && !Number.isSafeInteger(amount)) {
        throw new ChainError("FAUCET_AMOUNT_INVALID", "give large amounts as strings");
      }
      const grant = await faucet.fund(address, amount === undefined ? undefined : BigInt(amount), request.ip);
      return {
        tx_hash: grant.txHash,
        address,
        amount: grant.amount.toString(),
        denom: "uallo",
        height: grant.height.toString(),
      };
    },
  );
}
