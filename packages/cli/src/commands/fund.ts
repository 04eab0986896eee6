/**
 * `allocmd fund`: asks the network's faucet for funds for this worker's account and waits, with progress and a
 * deadline, until the balance shows them: no more "the faucet said nothing and registration is unfunded".
 */

import { type Command, NETWORK_FLAGS } from "../command.js";

export const fundCommand: Command = {
  name: "fund",
  summary: "ask the faucet for funds and wait until the balance shows them",
  usage: "fund [--address <allo1…>] [--amount <uallo>] [--timeout <seconds>]",
  details:
    "Funds this project's worker account (derived from its mnemonic file) or --address, from the dev network's faucet\n" +
    "(or prod.faucet_url / --faucet-url), then polls the balance until it has grown, for at most --timeout seconds.",
  flags: {
    ...NETWORK_FLAGS,
    "faucet-url": { type: "string", value: "url", description: "the faucet (default: <chain REST>/faucet in dev)" },
    address: { type: "string", value: "allo1…", description: "fund this address instead of the project's worker" },
    amount: { type: "string", value: "uallo", description: "how much to ask for (default: the faucet's amount)" },
    timeout: { type: "string", value: "seconds", description: "how long to wait for the balance (default 60)" },
  },
  examples: [
    "allocmd fund",
    "allocmd fund --amount 500000000",
    "allocmd fund --address allo1… --chain-rest http://127.0.0.1:1317",
  ],
  run: (ctx) => import("../actions/fund.js").then((action) => action.runFundCommand(ctx)),
};
