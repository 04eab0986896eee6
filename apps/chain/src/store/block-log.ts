/**
 * The block log: one JSON line per committed block in `<data-dir>/blocks.jsonl`, appended and fsync'd before the
 * block becomes visible to anyone. The first line names the genesis the data dir belongs to. At start the log is
 * read back and replayed; a last line cut short by a crash (no trailing newline) is dropped, because it was never
 * acknowledged. Plain files only: nothing to compile or download.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { AlloraError, type Logger } from "@allora/protocol";
import type { RoundEvent } from "../rounds/round-events.js";
import type { TxResultJson } from "../tx/tx-result.js";

/** The first line of a log. */
interface GenesisRecord {
  type: "genesis";
  chain_id: string;
  genesis_hash: string;
  created_at: string;
}

/** A committed tx in a block record. */
export interface TxRecord {
  /** Base64 TxRaw bytes. */
  tx: string;
  hash: string;
  result: TxResultJson;
}

/** A committed block. */
export interface BlockRecord {
  type: "block";
  height: string;
  time: string;
  time_ms: number;
  hash: string;
  app_hash: string;
  txs: TxRecord[];
  /** State changes the block made by itself (rounds opened, closed, scored). */
  events: RoundEvent[];
}

/** An open block log. */
export interface BlockLog {
  /** Blocks read at open, in height order. */
  readonly blocks: readonly BlockRecord[];
  /** Appends a block and returns only once it is on disk. */
  append(block: BlockRecord): void;
  close(): void;
}

/** Options of {@link openBlockLog}. */
export interface BlockLogOptions {
  dataDir: string;
  chainId: string;
  genesisHash: string;
  logger: Logger;
}

const NEWLINE = 0x0a;

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync still holds its content.
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes the data dir's lock file; a lock left by a dead process (kill -9) is taken over. */
function takeLock(dataDir: string): string {
  const path = join(dataDir, "chain.lock");
  if (existsSync(path)) {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
      throw new AlloraError(
        "DATA_DIR_LOCKED",
        `data dir ${dataDir} is in use by process ${pid}; stop it or use another --data-dir`,
        { details: { dataDir, pid } },
      );
    }
  }
  writeFileSync(path, `${process.pid}\n`);
  return path;
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Opens (or creates) the block log of a data dir and reads back every committed block. */
export function openBlockLog(options: BlockLogOptions): BlockLog {
  const { dataDir, logger } = options;
  mkdirSync(dataDir, { recursive: true });
  const lockPath = takeLock(dataDir);
  const path = join(dataDir, "blocks.jsonl");
  const blocks: BlockRecord[] = [];
  try {
    if (!existsSync(path)) {
      const genesis: GenesisRecord = {
        type: "genesis",
        chain_id: options.chainId,
        genesis_hash: options.genesisHash,
        created_at: new Date().toISOString(),
      };
      const fd = openSync(path, "wx");
      try {
        writeAll(fd, `${JSON.stringify(genesis)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      fsyncDir(dataDir);
    } else {
      blocks.push(...readExisting(path, options));
    }
  } catch (err) {
    unlinkSync(lockPath);
    throw err;
  }
  const fd = openSync(path, "a");
  logger.info({ path, blocks: blocks.length }, "block log open");
  return {
    blocks,
    append(block) {
      writeAll(fd, `${JSON.stringify(block)}\n`);
      fsyncSync(fd);
    },
    close() {
      closeSync(fd);
      try {
        unlinkSync(lockPath);
      } catch {
        // already gone
      }
    },
  };
}

function readExisting(path: string, options: BlockLogOptions): BlockRecord[] {
  const bytes = readFileSync(path);
  const lastNewline = bytes.lastIndexOf(NEWLINE);
  const completeLength = lastNewline + 1;
  if (completeLength < bytes.length) {
    // A crash during the last append: the line was never fsync'd whole, so no one was told it committed.
    options.logger.warn(
      { code: "BLOCK_LOG_TORN_LINE_DROPPED", path, bytes: bytes.length - completeLength },
      "dropping an incomplete last line of the block log (crash during a write)",
    );
    const fd = openSync(path, "r+");
    try {
      ftruncateSync(fd, completeLength);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const lines = bytes.subarray(0, completeLength).toString("utf8").split("\n");
  lines.pop(); // the empty string after the final newline
  const corrupt = (line: number, why: string) =>
    new AlloraError("BLOCK_LOG_CORRUPT", `block log ${path} line ${line}: ${why}`, { details: { path, line } });

  const records: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    try {
      records.push(JSON.parse(line));
    } catch {
      throw corrupt(i + 1, "not valid JSON (the file was edited or the disk is damaged)");
    }
  }
  const [first, ...rest] = records as Array<Record<string, unknown>>;
  if (first?.type !== "genesis") throw corrupt(1, "the first line must be the genesis record");
  if (first.chain_id !== options.chainId || first.genesis_hash !== options.genesisHash) {
    throw new AlloraError(
      "GENESIS_MISMATCH",
      `data dir ${options.dataDir} belongs to chain ${String(first.chain_id)} with another genesis (hash ${String(first.genesis_hash)}); start with that genesis or use a fresh --data-dir`,
      { details: { dataDir: options.dataDir } },
    );
  }
  const blocks: BlockRecord[] = [];
  for (const [i, record] of rest.entries()) {
    const expected = BigInt(blocks.length + 1);
    if (record.type !== "block" || typeof record.height !== "string" || BigInt(record.height) !== expected) {
      throw corrupt(i + 2, `expected block ${expected}`);
    }
    blocks.push(record as unknown as BlockRecord);
  }
  return blocks;
}
