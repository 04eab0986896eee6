/**
 * Secrets (mnemonics) live in files with owner-only permissions, never in flags, env defaults or compose files.
 */
import { readFile, stat } from "node:fs/promises";
import { AlloraError } from "@allora/protocol";

/** Reads a secret file and trims it; explains a missing file and refuses one that others can read. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (cause) {
    throw new AlloraError("SECRET_FILE_MISSING", `${what} file ${path} does not exist`, { cause, details: { path } });
  }
  if ((mode & 0o077) !== 0) {
    throw new AlloraError(
      "SECRET_FILE_PERMISSIONS",
      `${what} file ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      { details: { path } },
    );
  }
  const text = (await readFile(path, "utf8")).trim();
  if (text === "") throw new AlloraError("SECRET_FILE_EMPTY", `${what} file ${path} is empty`, { details: { path } });
  return text;
}
