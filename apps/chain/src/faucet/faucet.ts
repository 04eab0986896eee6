/**
 * The dev faucet: funds an address with a real MsgSend signed by the faucet's own key, through the same CheckTx
 * and block path as any tx, and answers once the transfer is committed. Requests are signed one at a time (so
 * sequences never collide) but share blocks: many can wait for the same block.
 */
import {
  type ChainAccount,
  createAlloraRegistry,
  DENOM,
  deriveChainAccount,
  type Logger,
  makeSignedTx,
} from "@allora/protocol";
import type { Chain } from "../chain/chain.js";
import { ChainError } from "../errors.js";
import { isAccountAddress } from "../state/address.js";
import { createFaucetLimits, type FaucetLimitOptions } from "./faucet-limits.js";

/** A funding done by the faucet. */
interface FaucetGrant {
  txHash: string;
  amount: bigint;
  height: bigint;
}

/** The faucet. */
export interface Faucet {
  readonly address: string;
  readonly defaultAmount: bigint;
  /** Largest amount one request may ask for. */
  readonly maxAmount: bigint;
  /** The rate limits, as `GET /faucet` shows them. */
  readonly limits: { window_seconds: number; max_per_address: number; max_per_client: number };
  /** Funds `address`; `client` (the caller's IP) counts toward the per-client limit. */
  fund(address: string, amount?: bigint, client?: string): Promise<FaucetGrant>;
}

/** Dependencies of {@link createFaucet}. */
export interface FaucetDeps {
  chain: Chain;
  /** The faucet key's mnemonic (from a 0600 file; never logged). */
  mnemonic: string;
  defaultAmount: bigint;
  /** How long to wait for the transfer's block. */
  commitTimeoutMs: number;
  /** Rate limits per address and per client (see faucet-limits.ts). */
  limits: FaucetLimitOptions;
  logger: Logger;
}

/** A request may ask for up to this many times the default amount. */
const FAUCET_MAX_MULTIPLIER = 10n;
/** Gas limit of faucet transfers (a MsgSend uses about 70,000). */
const FAUCET_GAS = 200_000;

export async function createFaucet(deps: FaucetDeps): Promise<Faucet> {
  const { chain, logger } = deps;
  const account: ChainAccount = await deriveChainAccount(deps.mnemonic);
  const registry = createAlloraRegistry();
  const maxAmount = deps.defaultAmount * FAUCET_MAX_MULTIPLIER;
  if (!chain.state.account(account.address)) {
    logger.warn(
      { code: "FAUCET_UNFUNDED", address: account.address },
      "the faucet account has no funds in this chain; add it to the genesis accounts",
    );
  }
  let queue: Promise<unknown> = Promise.resolve();
  const limits = createFaucetLimits(deps.limits);

  /** Signs and checks one transfer; runs under the queue so the sequence read stays valid. */
  const submit = async (to: string, amount: bigint): Promise<string> => {
    const funded = chain.state.account(account.address);
    if (!funded) {
      throw new ChainError(
        "FAUCET_FAILED",
        `faucet account ${account.address} has no funds; add it to the genesis accounts`,
      );
    }
    const bytes = await makeSignedTx({
      registry,
      account,
      chainId: chain.chainId,
      accountNumber: funded.accountNumber,
      sequence: chain.nextSequence(account.address),
      messages: [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: { fromAddress: account.address, toAddress: to, amount: [{ denom: DENOM, amount: amount.toString() }] },
        },
      ],
      fee: { amount: [{ denom: DENOM, amount: chain.params.txFeeMin.toString() }], gas: FAUCET_GAS },
      memo: "faucet",
    });
    const checked = await chain.checkTx(bytes);
    if (checked.code !== 0) {
      throw new ChainError(
        "FAUCET_FAILED",
        `the faucet's transfer was rejected (${checked.codespace} ${checked.code}: ${checked.log})`,
      );
    }
    return checked.hash;
  };

  return {
    address: account.address,
    defaultAmount: deps.defaultAmount,
    maxAmount,
    limits: {
      window_seconds: Math.round(deps.limits.windowMs / 1000),
      max_per_address: deps.limits.perAddress,
      max_per_client: deps.limits.perClient,
    },
    async fund(address, requested, client = "local") {
      if (!isAccountAddress(address)) throw new ChainError("INVALID_ADDRESS", `"${address}" is not an allo1… address`);
      const amount = requested ?? deps.defaultAmount;
      if (amount <= 0n || amount > maxAmount) {
        throw new ChainError("FAUCET_AMOUNT_INVALID", `amount must be 1 to ${maxAmount} ${DENOM}, got ${amount}`);
      }
      // Counted once the request is valid, before the transfer: concurrent requests cannot slip past the limit.
      limits.admit(address, client);
      const next = queue.then(() => submit(address, amount));
      queue = next.catch(() => undefined);
      const hash = await next;
      const committed = await chain.waitForTx(hash, deps.commitTimeoutMs);
      if (committed.result.code !== 0) {
        throw new ChainError(
          "FAUCET_FAILED",
          `the faucet's transfer failed in block ${committed.height}: ${committed.result.log}`,
        );
      }
      logger.info(
        { to: address, amount: amount.toString(), tx: hash, height: committed.height.toString() },
        "faucet funded an address",
      );
      return { txHash: hash, amount, height: committed.height };
    },
  };
}
