/**
 * What the head and the workers both ask of the chain's REST face: JSON reads with a deadline, and funds from the
 * dev faucet, waited for until they show in the account's balance. Both go through `@allora/protocol`'s HTTP
 * client (Node's `fetch` refuses some ports the dev network uses, e.g. 6000).
 */
import { AlloraError, httpCall } from "@allora/protocol";

const isOk = (status: number) => status >= 200 && status <= 299;

/** GETs `url` and parses its JSON; a non-2xx answer throws with the start of its body. Abandoned after `timeoutMs`. */
export async function getJson(url: string, timeoutMs = 5000): Promise<unknown> {
  const res = await httpCall(url, { headers: { accept: "application/json" }, timeoutMs });
  if (!isOk(res.status)) throw new Error(`GET ${url} answered HTTP ${res.status}: ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text) as unknown;
}

/** Options of {@link fundFromFaucet}. */
export interface FaucetFunding {
  /** The faucet's URL (`POST {"address": …}`). */
  faucetUrl: string;
  address: string;
  /** The balance to wait for, in the fee denom. */
  needed: bigint;
  /** Reads the account's current balance. */
  balance: () => Promise<bigint>;
  /** How long to wait for the faucet and then for the funds (default 30 s each). */
  timeoutMs?: number;
}

/**
 * Asks the faucet to fund `address`, then polls `balance()` until it reaches `needed`. Throws `FAUCET_FAILED` when
 * the faucet answers an error or the funds do not arrive in time.
 */
export async function fundFromFaucet(funding: FaucetFunding): Promise<void> {
  const timeoutMs = funding.timeoutMs ?? 30_000;
  const res = await httpCall(funding.faucetUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address: funding.address }),
    timeoutMs,
  });
  if (!isOk(res.status)) {
    throw new AlloraError("FAUCET_FAILED", `faucet answered HTTP ${res.status}: ${res.text.slice(0, 200)}`);
  }
  const deadline = Date.now() + timeoutMs;
  while ((await funding.balance()) < funding.needed) {
    if (Date.now() > deadline) {
      throw new AlloraError("FAUCET_FAILED", `faucet funds did not arrive in ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
