/**
 * Who may send `MsgInsertBulkWorkerPayload`: the accounts genesis lists in `payload_senders`, plus those in the
 * operator's `--payload-senders-file` (one `allo1…` address per line, `#` comments). The file is read again when it
 * changes, so a dev network can add its head's account after the chain has started. With `--payload-senders-from-head`
 * the chain also accepts the account of the head it is configured to notify (`--blockless-api-url`), as that head's
 * `/api/v1/status` reports it: the operator who points the chain at a head trusts that head with its rounds. The
 * check runs when a tx is admitted (CheckTx), never when the block log is replayed, so a changed list cannot change
 * what was committed.
 */
import { readFileSync, statSync } from "node:fs";
import { httpCall, type Logger } from "@allora/protocol";
import { isAccountAddress } from "../state/address.js";

/** The whitelist of payload senders. */
export interface PayloadSenders {
  allows(address: string): Promise<boolean>;
  /** Every allowed address, for the REST view and logs. */
  list(): string[];
}

/** Options of {@link createPayloadSenders}. */
export interface PayloadSendersOptions {
  genesis: readonly string[];
  file?: string;
  /** The notified head's status URL, whose reported chain account is allowed too. */
  headStatusUrl?: string;
  logger: Logger;
}

/** How often the head's account may be asked again when an unknown sender shows up. */
const HEAD_REFRESH_MS = 1000;
const HEAD_STATUS_TIMEOUT_MS = 2000;
const HEAD_STATUS_MAX_BYTES = 1_048_576;

/** Parses the file's text: one address a line, blank lines and `#` comments ignored; bad lines are reported. */
export function parsePayloadSendersFile(text: string): { addresses: string[]; problems: string[] } {
  const addresses: string[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") return;
    if (isAccountAddress(line)) addresses.push(line);
    else problems.push(`line ${i + 1}: "${line.slice(0, 80)}" is not an allo1… address`);
  });
  return { addresses, problems };
}

/** Creates the whitelist. */
export function createPayloadSenders(options: PayloadSendersOptions): PayloadSenders {
  const { file, logger } = options;
  let fromFile = new Set<string>();
  let seenMtime = -1;

  const refresh = () => {
    if (!file) return;
    let mtime: number;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      if (seenMtime !== 0)
        logger.warn({ code: "PAYLOAD_SENDERS_FILE_MISSING", file }, "payload senders file not found");
      seenMtime = 0;
      fromFile = new Set();
      return;
    }
    if (mtime === seenMtime) return;
    seenMtime = mtime;
    const { addresses, problems } = parsePayloadSendersFile(readFileSync(file, "utf8"));
    for (const problem of problems) {
      logger.warn({ code: "PAYLOAD_SENDERS_FILE_INVALID", file }, `ignoring ${problem}`);
    }
    fromFile = new Set(addresses);
    logger.info({ file, senders: addresses }, "payload senders loaded");
  };
  refresh();

  let headAccount: string | undefined;
  let headAskedAt = 0;
  const askHead = async (url: string) => {
    headAskedAt = Date.now();
    try {
      const res = await httpCall(url, { timeoutMs: HEAD_STATUS_TIMEOUT_MS });
      if (res.status !== 200 || res.text.length > HEAD_STATUS_MAX_BYTES) return;
      const address = (JSON.parse(res.text) as { chain?: { address?: unknown } }).chain?.address;
      if (typeof address === "string" && isAccountAddress(address) && address !== headAccount) {
        headAccount = address;
        logger.info({ head: url, sender: address }, "the notified head's account may send payloads");
      }
    } catch (err) {
      logger.warn(
        { code: "PAYLOAD_SENDER_HEAD_UNREACHABLE", head: url },
        `cannot read the head's account: ${(err as Error).message}`,
      );
    }
  };

  return {
    async allows(address) {
      if (options.genesis.includes(address)) return true;
      refresh();
      if (fromFile.has(address)) return true;
      if (!options.headStatusUrl) return false;
      if (address !== headAccount && Date.now() - headAskedAt >= HEAD_REFRESH_MS) await askHead(options.headStatusUrl);
      return address === headAccount;
    },
    list() {
      refresh();
      return [...new Set([...options.genesis, ...fromFile, ...(headAccount ? [headAccount] : [])])];
    },
  };
}
