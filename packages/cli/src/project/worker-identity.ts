/**
 * The project worker's public identity: its peer id (from the key folder) and its chain address (derived from the
 * mnemonic file, which is read and never printed). Missing or broken keys are reported, not thrown, so `status`
 * and `doctor` can still say everything else.
 */
import { join } from "node:path";
import { errorMessage, loadKeyFolder } from "@allora/protocol";
import type { Project } from "../config/load-config.js";
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
