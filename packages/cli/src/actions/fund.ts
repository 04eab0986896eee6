/**
 * `allocmd fund`: asks the network's faucet for funds for this worker's account and waits, with progress and a
 * deadline, until the balance shows them: no more "the faucet said nothing and registration is unfunded".
 */
import { type ChainClient, createChainClient, formatAmount } from "../chain/chain-client.js";
import { type CommandContext, stringFlag } from "../command.js";
import { fundCommand } from "../commands/fund.js";
import type { Project } from "../config/load-config.js";
import { CliError, usageError } from "../errors.js";
import { formatMs, type Output } from "../output.js";
import { findProject, requireProject, resolveEndpoints } from "../project/endpoints.js";
import { readWorkerIdentity } from "../project/worker-identity.js";
import { parseSecondsFlag } from "../validate.js";

/** The account to fund: --address, or this project's worker. */
async function fundedAddress(project: Project | undefined, addressFlag: string | undefined): Promise<string> {
  if (addressFlag) return addressFlag;
  if (!project) throw usageError("USAGE_MISSING", "--address is needed outside a project");
  const identity = await readWorkerIdentity(project);
  if (!identity.address) {
    throw new CliError("KEYS_INVALID", `cannot derive the worker's address: ${identity.problems.join("; ")}`, {
      hint: "run allocmd init to create the missing mnemonic, or pass --address",
    });
  }
  return identity.address;
}

/** Polls the balance until it grows past `before`, with progress, until the deadline. */
async function waitForFunds(
  chain: ChainClient,
  out: Output,
  wait: { address: string; before: bigint; started: number; timeoutMs: number },
): Promise<void> {
  const { address, before, started, timeoutMs } = wait;
  let lastReport = Date.now();
  for (;;) {
    const now = await chain.balance(address);
    if (now > before) {
      out.out(
        `funded ${address}: ${formatAmount(before)} -> ${formatAmount(now)} in ${formatMs(Date.now() - started)}`,
      );
      return;
    }
    if (Date.now() - started > timeoutMs) {
      throw new CliError(
        "WAIT_TIMEOUT",
        `the balance of ${address} did not grow within ${timeoutMs / 1000} s (still ${formatAmount(now)})`,
        {
          hint: "is the chain producing blocks? `allocmd status` shows its height; try again with a longer --timeout",
        },
      );
    }
    if (Date.now() - lastReport > 5000) {
      out.progress(`  still waiting (${formatMs(Date.now() - started)})…`);
      lastReport = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What `allocmd fund` does (its flags and help: ../commands/fund.ts). */
export async function runFundCommand({ io, out, flags }: CommandContext): Promise<number> {
  const addressFlag = stringFlag(flags, "address");
  if (addressFlag !== undefined && !/^allo1[02-9ac-hj-np-z]{38,58}$/.test(addressFlag)) {
    throw usageError("USAGE_BAD_VALUE", `--address "${addressFlag}" is not an allo1… address`);
  }
  const amount = stringFlag(flags, "amount");
  if (amount !== undefined && !/^[1-9]\d{0,30}$/.test(amount)) {
    throw usageError("USAGE_BAD_VALUE", `--amount must be a positive whole number of uallo, got "${amount}"`);
  }
  const timeoutFlag = stringFlag(flags, "timeout");
  const timeoutMs = (timeoutFlag ? parseSecondsFlag(timeoutFlag, "--timeout", 600) : 60) * 1000;
  const project = addressFlag === undefined ? await requireProject(io.cwd, flags) : await findProject(io.cwd, flags);
  const endpoints = await resolveEndpoints(project, flags, fundCommand);
  const address = await fundedAddress(project, addressFlag);
  if (!endpoints.faucetUrl || !endpoints.chainRest) {
    throw new CliError(
      "CONFIG_MISSING",
      "no faucet for this network: set prod.faucet_url and prod.chain_rest, or pass --faucet-url",
      {
        hint: "a production network has no faucet: send funds to the address from your own account",
      },
    );
  }
  const chain = createChainClient(endpoints.chainRest);
  const before = await chain.balance(address);
  out.progress(`asking ${endpoints.faucetUrl} to fund ${address} (balance now ${formatAmount(before)})`);
  const started = Date.now();
  const answer = await chain.faucet(endpoints.faucetUrl, address, amount);
  out.progress(
    `faucet sent ${answer.amount ?? "funds"}${answer.tx_hash ? ` in tx ${answer.tx_hash}` : ""}; waiting for the balance`,
  );
  await waitForFunds(chain, out, { address, before, started, timeoutMs });
  return 0;
}
