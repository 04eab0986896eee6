/**
 * Test accounts: a fresh mnemonic, its cosmjs wallet (prefix allo) and its chain account (for bundle signing),
 * and a stock SigningStargateClient that knows the chain's messages.
 */
import { type ChainAccount, createAlloraRegistry, deriveChainAccount, generateMnemonic } from "@allora/protocol";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";

export interface TestWallet {
  mnemonic: string;
  address: string;
  account: ChainAccount;
  wallet: DirectSecp256k1HdWallet;
}

export async function newWallet(mnemonic = generateMnemonic()): Promise<TestWallet> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "allo" });
  const account = await deriveChainAccount(mnemonic);
  const [first] = await wallet.getAccounts();
  if (first?.address !== account.address) throw new Error("wallet and derived account disagree");
  return { mnemonic, address: account.address, account, wallet };
}

/** A stock signing client: cosmjs 0.39 plus only createAlloraRegistry(). */
export function connectSigner(rpcUrl: string, w: TestWallet): Promise<SigningStargateClient> {
  return SigningStargateClient.connectWithSigner(rpcUrl, w.wallet, {
    registry: createAlloraRegistry(),
    gasPrice: GasPrice.fromString("0.025uallo"),
    broadcastPollIntervalMs: 50,
    broadcastTimeoutMs: 20_000,
  });
}

/** A fee with an explicit amount. */
export const FEE = { amount: [{ denom: "uallo", amount: "500" }], gas: "300000" };
