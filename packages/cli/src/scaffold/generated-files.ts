/**
 * Writing generated files without ever losing a user's edit. `.allocmd/generated.json` records the sha256 of every
 * file as allocmd last wrote it; on the next run a file whose content still has that hash is "unchanged since
 * generated" and may be regenerated, while a file with any other content was edited by the user and is kept (unless
 * `--force`, which first copies it to `.allocmd/backup/`). The record holds hashes only, no content and no secret.
 */
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The folder of allocmd's own bookkeeping inside a project. */
export const STATE_DIR = ".allocmd";
/** The record of generated files. */
export const GENERATED_RECORD = `${STATE_DIR}/generated.json`;

/** What happened to one file. */
type FileAction = "created" | "updated" | "unchanged" | "kept-edited" | "overwritten" | "kept-existing";

/** The outcome for one file. */
export interface FileOutcome {
  path: string;
  action: FileAction;
  /** Where the previous content was copied before an overwrite. */
  backup?: string;
}

interface RecordFile {
  version: 1;
  files: Record<string, { sha256: string; cli_version: string }>;
}

/** sha256 of a text, hex. */
function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes a file atomically (temporary file, then rename) with `mode`. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

/** The generated-files record of a project, and how to write files through it. */
export interface GeneratedFiles {
  /**
   * Writes `content` to `path` (relative to the project) unless the user edited the file since allocmd wrote it.
   * `createOnly` files (e.g. `.env`) are written once and never touched again, even with `force`.
   */
  write(path: string, content: string, options?: { mode?: number; createOnly?: boolean }): Promise<FileOutcome>;
  /** Whether the file at `path` exists and still has the content allocmd last wrote. */
  isUnedited(path: string): Promise<boolean>;
  /** Saves the record. */
  save(): Promise<void>;
}

/** Opens the record of the project in `dir`. */
export async function openGeneratedFiles(
  dir: string,
  options: { force: boolean; cliVersion: string },
): Promise<GeneratedFiles> {
  const recordPath = join(dir, GENERATED_RECORD);
  let record: RecordFile = { version: 1, files: {} };
  const text = await readText(recordPath);
  if (text !== undefined) {
    try {
      const parsed = JSON.parse(text) as RecordFile;
      if (parsed && typeof parsed.files === "object") record = parsed;
    } catch {
      // A corrupt record only means every existing file counts as edited: nothing is lost.
    }
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const remember = (path: string, content: string) => {
    record.files[path] = { sha256: sha256(content), cli_version: options.cliVersion };
  };
  return {
    async write(path, content, opts = {}) {
      const abs = join(dir, path);
      const current = await readText(abs);
      if (current === undefined) {
        await writeFileAtomic(abs, content, opts.mode);
        remember(path, content);
        return { path, action: "created" };
      }
      if (opts.createOnly) return { path, action: "kept-existing" };
      if (current === content) {
        remember(path, content);
        return { path, action: "unchanged" };
      }
      if (record.files[path]?.sha256 === sha256(current)) {
        await writeFileAtomic(abs, content, opts.mode);
        remember(path, content);
        return { path, action: "updated" };
      }
      if (!options.force) return { path, action: "kept-edited" };
      const backup = join(STATE_DIR, "backup", `${path.replaceAll("/", "__")}.${stamp}`);
      await mkdir(dirname(join(dir, backup)), { recursive: true });
      await copyFile(abs, join(dir, backup));
      await writeFileAtomic(abs, content, opts.mode);
      remember(path, content);
      return { path, action: "overwritten", backup };
    },
    async isUnedited(path) {
      const current = await readText(join(dir, path));
      return current !== undefined && record.files[path]?.sha256 === sha256(current);
    },
    async save() {
      await writeFileAtomic(recordPath, `${JSON.stringify(record, null, 2)}\n`);
    },
  };
}

/** How an outcome reads in init's report. */
export function describeOutcome(outcome: FileOutcome): string {
  switch (outcome.action) {
    case "created":
      return "wrote";
    case "updated":
      return "regenerated (you had not edited it)";
    case "unchanged":
      return "unchanged";
    case "kept-edited":
      return "kept: you edited it (--force regenerates it, keeping a backup)";
    case "overwritten":
      return `regenerated with --force; your version is in ${outcome.backup}`;
    case "kept-existing":
      return "kept (written once, never regenerated)";
  }
}
