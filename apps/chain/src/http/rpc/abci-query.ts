/**
 * The `abci_query` paths stock cosmjs uses: the auth account (for account number and sequence), bank balances,
 * and tx simulation (for fee "auto"). Answers are protobuf, as a Cosmos app's gRPC router would give them.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { encodePubkey } from "@cosmjs/proto-signing";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { Chain } from "../../chain/chain.js";
import { ChainError } from "../../errors.js";
import { isAccountAddress } from "../../state/address.js";
import type { Account } from "../../state/chain-state.js";

/** Result of a query: a value, or a Cosmos error triple. */
export interface AbciQueryResult {
  code: number;
  codespace: string;
  log: string;
  value: Uint8Array;
}

/** A query that ran and failed with a Cosmos error (e.g. a simulated tx that would fail). */
class QueryFailure extends Error {
  constructor(readonly abci: { code: number; codespace: string; log: string }) {
    super(abci.log);
  }
}

/** The Any-packed BaseAccount cosmjs' accountFromAny understands. */
function baseAccountAny(account: Account) {
  return {
    typeUrl: "/cosmos.auth.v1beta1.BaseAccount",
    value: BaseAccount.encode(
      BaseAccount.fromPartial({
        address: account.address,
        pubKey: account.pubkey ? encodePubkey(encodeSecp256k1Pubkey(account.pubkey)) : undefined,
        accountNumber: account.accountNumber,
        sequence: account.sequence,
      }),
    ).finish(),
  };
}

function checkAddress(address: string): void {
  if (!isAccountAddress(address)) throw new ChainError("INVALID_ADDRESS", `"${address}" is not an allo1… address`);
}

function balancesOf(chain: Chain, address: string) {
  const balances = chain.state.account(address)?.balances ?? new Map<string, bigint>();
  return [...balances.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([denom, amount]) => ({ denom, amount: amount.toString() }));
}

async function answer(chain: Chain, path: string, data: Uint8Array): Promise<Uint8Array> {
  switch (path) {
    case "/cosmos.auth.v1beta1.Query/Account": {
      const { address } = QueryAccountRequest.decode(data);
      checkAddress(address);
      const account = chain.state.account(address);
      // cosmjs' getAccount looks for exactly this text to return null instead of throwing.
      if (!account) throw new ChainError("NOT_FOUND", `rpc error: code = NotFound desc = account ${address} not found`);
      return QueryAccountResponse.encode({ account: baseAccountAny(account) }).finish();
    }
    case "/cosmos.bank.v1beta1.Query/Balance": {
      const { address, denom } = QueryBalanceRequest.decode(data);
      checkAddress(address);
      return QueryBalanceResponse.encode({
        balance: { denom, amount: chain.state.balance(address, denom).toString() },
      }).finish();
    }
    case "/cosmos.bank.v1beta1.Query/AllBalances": {
      const { address } = QueryAllBalancesRequest.decode(data);
      checkAddress(address);
      const balances = balancesOf(chain, address);
      return QueryAllBalancesResponse.encode(
        QueryAllBalancesResponse.fromPartial({
          balances,
          pagination: { nextKey: new Uint8Array(), total: BigInt(balances.length) },
        }),
      ).finish();
    }
    case "/cosmos.tx.v1beta1.Service/Simulate": {
      const request = SimulateRequest.decode(data);
      const result = await chain.simulate(request.txBytes);
      if (result.code !== 0) {
        throw new QueryFailure({ code: result.code, codespace: result.codespace, log: result.log });
      }
      return SimulateResponse.encode(
        SimulateResponse.fromPartial({
          gasInfo: { gasWanted: result.gasWanted, gasUsed: result.gasUsed },
          result: { data: new Uint8Array(), log: "", events: result.events, msgResponses: [] },
        }),
      ).finish();
    }
    default:
      throw new ChainError(
        "REQUEST_INVALID",
        `unknown query path ${path} (this chain answers /cosmos.auth.v1beta1.Query/Account, /cosmos.bank.v1beta1.Query/Balance, /cosmos.bank.v1beta1.Query/AllBalances, /cosmos.tx.v1beta1.Service/Simulate)`,
      );
  }
}

/** Answers one query; failures come back as Cosmos error triples, never as exceptions. */
export async function abciQuery(chain: Chain, path: string, data: Uint8Array): Promise<AbciQueryResult> {
  try {
    return { code: 0, codespace: "", log: "", value: await answer(chain, path, data) };
  } catch (err) {
    if (err instanceof QueryFailure) return { ...err.abci, value: new Uint8Array() };
    if (err instanceof ChainError) return { ...err.toAbci(), value: new Uint8Array() };
    const decodeFailure = new ChainError("TX_DECODE_FAILED", `query data does not decode: ${(err as Error).message}`);
    return { ...decodeFailure.toAbci(), value: new Uint8Array() };
  }
}
