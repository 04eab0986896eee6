/**
 * The project worker's public identity: its peer id (from the key folder) and its chain address (derived from the
 * mnemonic file, which is read and never printed). Missing or broken keys are reported, not thrown, so `status`
 * and `doctor` can still say everything else.
 */
import { join } from "node:path";
import { errorMessage, loadKeyFolder } from "@allora/protocol";
import type { Project } from "../config/load-config.js";
import { CliError } from "../errors.js";
import { readMnemonicFile } from "../scaffold/project-keys.js";

/** The worker's peer id and address, or why each is unknown. */
export interface WorkerIdentity {
  peerId?: string;
  address?: string;
  problems: string[];
}

/** Reads the identity of the project's worker. */
export async function readWorkerIdentity(project: Project): Promise<WorkerIdentity> {
  const out: WorkerIdentity = { problems: [] };
  try {
    out.peerId = (await loadKeyFolder(join(project.dir, project.config.worker.keys))).peerId;
  } catch (err) {
    out.problems.push(`key folder ${project.config.worker.keys}/: ${errorMessage(err)}`);
  }
  try {
    out.address = (
      await readMnemonicFile(join(project.dir, project.config.worker.mnemonic_file), "mnemonic file")
    ).address;
  } catch (err) {
    out.problems.push(errorMessage(err));
  }
  return out;
}

/** The identity the worker will have, or an error saying to run init. */
export async function requireIdentity(project: Project): Promise<{ peerId: string; address: string }> {
  const identity = await readWorkerIdentity(project);
  if (!identity.peerId || !identity.address) {
    throw new CliError("KEYS_INVALID", `the project's keys are not usable: ${identity.problems.join("; ")}`, {
      hint: "run `allocmd init` in the project to create missing keys (existing ones are kept)",
    });
  }
  return { peerId: identity.peerId, address: identity.address };
}
