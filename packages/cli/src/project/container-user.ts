/**
 * Which user the worker container runs as, and who owns the files it reads. The container must be able to read the
 * key folder and the mnemonic file, which are bind-mounted from the project and are readable by their owner only
 * (mode 0600/0700, as the worker demands of secret files). So the container runs as the uid that owns them:
 *
 * - invoked as a normal user: that user's uid and gid (files stay theirs; no chmod, no root-owned folders);
 * - invoked as root: the worker image's own non-root user (`node`, uid 1000), and allocmd hands the key folder,
 *   the secrets folder and the state folder to that uid, so the container never has to run as root.
 *
 * The compose files read the uid and gid from `.env` (`ALLOCMD_UID`, `ALLOCMD_GID`, default 1000).
 */
import { chown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** The non-root user of the allora/* images (`node` in the Node base image). */
export const IMAGE_USER = { uid: 1000, gid: 1000 } as const;

/** A numeric user and group. */
export interface UserIds {
  uid: number;
  gid: number;
}

/** The uid and gid the worker container runs as when allocmd is run by the current process's user. */
export function containerUser(): UserIds {
  const uid = process.getuid?.() ?? IMAGE_USER.uid;
  const gid = process.getgid?.() ?? IMAGE_USER.gid;
  return uid === 0 ? { ...IMAGE_USER } : { uid, gid };
}

/** Whether files must be handed to {@link IMAGE_USER} (allocmd runs as root). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Changes the owner of `path` and everything under it (no symlinks followed). Missing paths are skipped. */
export async function chownTree(path: string, ids: UserIds): Promise<void> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch {
    return;
  }
  if (info.isSymbolicLink()) return;
  await chown(path, ids.uid, ids.gid);
  if (info.isDirectory()) {
    for (const entry of await readdir(path)) await chownTree(join(path, entry), ids);
  }
}
