/**
 * The worker's two keys, made in-process (no Docker, Go or other tool): its libp2p identity as an allora-keys
 * folder, and its chain mnemonic in a file of mode 0600. Existing keys are always kept; imported ones are validated
 * first (the folder must load back to the peer id in its `identity` file, the mnemonic must be BIP39) and replace
 * different existing ones only with `--force`, after a backup.
 */
import { chmod, cp, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  deriveChainAccount,
  generateKeyFolder,
  generateMnemonic,
  isAlloraError,
  loadKeyFolder,
  type NodeIdentity,
  writeKeyFolder,
} from "@allora/protocol";
import { CliError } from "../errors.js";
import { STATE_DIR } from "./generated-files.js";

/** What happened to a key. */
export type KeyAction = "generated" | "kept" | "imported" | "replaced";

/** The outcome of {@link ensureProjectKeys}. */
export interface ProjectKeys {
  peerId: string;
  address: string;
  identityAction: KeyAction;
  mnemonicAction: KeyAction;
  /** Where replaced keys were copied (with --force). */
  backups: string[];
}

/** Options of {@link ensureProjectKeys}. */
export interface ProjectKeyOptions {
  /** The project folder. */
  dir: string;
  /** The key folder, relative to `dir`. */
  keysPath: string;
  /** The mnemonic file, relative to `dir`. */
  mnemonicPath: string;
  /** An allora-keys folder to use instead of a new identity. */
  importKeys?: string;
  /** A file holding a mnemonic to use instead of a new one. */
  mnemonicFile?: string;
  force: boolean;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function loadExistingIdentity(dir: string): Promise<NodeIdentity | undefined> {
  try {
    return await loadKeyFolder(dir);
  } catch (err) {
    if (isAlloraError(err, "KEY_FOLDER_MISSING")) return undefined;
    throw new CliError("KEYS_INVALID", `the project's key folder ${dir} is broken: ${(err as Error).message}`, {
      hint: "restore it from your backup, or move it away and run allocmd init again to make a new identity",
    });
  }
}

/** Reads and validates a mnemonic file; returns the normalized phrase and its address. */
export async function readMnemonicFile(path: string, what: string): Promise<{ mnemonic: string; address: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new CliError("KEYS_INVALID", `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const mnemonic = text.trim().split(/\s+/).join(" ");
  try {
    return { mnemonic, address: (await deriveChainAccount(mnemonic)).address };
  } catch {
    throw new CliError("KEYS_INVALID", `${what} ${path} does not hold a valid BIP39 English mnemonic`, {
      hint: "the file must contain the 12 or 24 words of the mnemonic and nothing else",
    });
  }
}

/** Loads the key folder to import; a folder that does not load stops init before anything is written. */
async function loadImportedKeys(path: string): Promise<NodeIdentity> {
  try {
    return await loadKeyFolder(path);
  } catch (err) {
    throw new CliError(
      "KEYS_INVALID",
      `--import-keys ${path} is not a usable allora-keys folder: ${(err as Error).message}`,
      { hint: "the folder needs priv.bin (and identity naming the same peer id), as allora-keys writes them" },
    );
  }
}

/** Where the current key and what imports it, for {@link settleIdentity} and {@link settleMnemonic}. */
interface KeyContext {
  options: ProjectKeyOptions;
  /** The timestamp of backups made by this run. */
  stamp: string;
  backups: string[];
}

/** Keeps, generates or imports the libp2p identity; the peer id and what was done. */
async function settleIdentity(
  ctx: KeyContext,
  imported: NodeIdentity | undefined,
): Promise<{ peerId: string; action: KeyAction }> {
  const { options } = ctx;
  const keysDir = join(options.dir, options.keysPath);
  const existing = await loadExistingIdentity(keysDir);
  if (!imported) {
    if (existing) return { peerId: existing.peerId, action: "kept" };
    return { peerId: (await generateKeyFolder(keysDir)).peerId, action: "generated" };
  }
  if (existing && existing.peerId === imported.peerId) return { peerId: imported.peerId, action: "kept" };
  if (existing && !options.force) {
    throw new CliError(
      "KEYS_CONFLICT",
      `${options.keysPath}/ already holds peer ${existing.peerId}; --import-keys would replace it with ${imported.peerId}`,
      { hint: "add --force to replace it (the current folder is copied to .allocmd/backup/ first)" },
    );
  }
  if (existing) {
    const backup = join(STATE_DIR, "backup", `keys.${ctx.stamp}`);
    await cp(keysDir, join(options.dir, backup), { recursive: true });
    ctx.backups.push(backup);
  }
  await writeKeyFolder(keysDir, imported.privateKey);
  return { peerId: imported.peerId, action: existing ? "replaced" : "imported" };
}

/** Keeps, generates or imports the chain mnemonic; the account address and what was done. */
async function settleMnemonic(
  ctx: KeyContext,
  imported: { mnemonic: string; address: string } | undefined,
): Promise<{ address: string; action: KeyAction }> {
  const { options } = ctx;
  const mnemonicPath = join(options.dir, options.mnemonicPath);
  const current = (await exists(mnemonicPath))
    ? await readMnemonicFile(mnemonicPath, "the project's mnemonic file")
    : undefined;
  await mkdir(dirname(mnemonicPath), { recursive: true, mode: 0o700 });
  await chmod(dirname(mnemonicPath), 0o700);
  if (!imported) {
    if (current) return { address: current.address, action: "kept" };
    const mnemonic = generateMnemonic();
    await writeFile(mnemonicPath, `${mnemonic}\n`, { mode: 0o600, flag: "wx" });
    return { address: (await deriveChainAccount(mnemonic)).address, action: "generated" };
  }
  if (current && current.address === imported.address) return { address: imported.address, action: "kept" };
  if (current && !options.force) {
    throw new CliError(
      "KEYS_CONFLICT",
      `${options.mnemonicPath} already holds the key of ${current.address}; --mnemonic-file would replace it with ${imported.address}`,
      { hint: "add --force to replace it (the current file is copied to .allocmd/backup/ first)" },
    );
  }
  if (current) {
    const backup = join(STATE_DIR, "backup", `chain.mnemonic.${ctx.stamp}`);
    await mkdir(dirname(join(options.dir, backup)), { recursive: true, mode: 0o700 });
    await writeFile(join(options.dir, backup), `${current.mnemonic}\n`, { mode: 0o600 });
    ctx.backups.push(backup);
  }
  await writeFile(mnemonicPath, `${imported.mnemonic}\n`, { mode: 0o600 });
  return { address: imported.address, action: current ? "replaced" : "imported" };
}

/** Creates, keeps or imports the project's identity and mnemonic. */
export async function ensureProjectKeys(options: ProjectKeyOptions): Promise<ProjectKeys> {
  // Validate both imports before touching anything, so a bad mnemonic never leaves a half-imported project.
  const imported = options.importKeys ? await loadImportedKeys(options.importKeys) : undefined;
  const importedMnemonic = options.mnemonicFile
    ? await readMnemonicFile(options.mnemonicFile, "--mnemonic-file")
    : undefined;
  const ctx: KeyContext = { options, stamp: new Date().toISOString().replace(/[:.]/g, "-"), backups: [] };

  // The project folder itself is an ordinary folder; only the key and secret folders are private.
  await mkdir(options.dir, { recursive: true });
  const identity = await settleIdentity(ctx, imported);
  await chmod(join(options.dir, options.keysPath), 0o700);
  const account = await settleMnemonic(ctx, importedMnemonic);
  // The worker refuses a secret file others can read; fix a loose mode left by an editor or a copy.
  await chmod(join(options.dir, options.mnemonicPath), 0o600);
  return {
    peerId: identity.peerId,
    address: account.address,
    identityAction: identity.action,
    mnemonicAction: account.action,
    backups: ctx.backups,
  };
}
