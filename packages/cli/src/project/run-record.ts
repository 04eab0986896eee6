/**
 * A record of something `allocmd run` started, kept in `.allocmd/<file>` (never a secret), for the commands that
 * come after it: saved atomically, read back only when it has the shape `isRecord` checks, and forgotten.
 */
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { STATE_DIR, writeFileAtomic } from "../scaffold/generated-files.js";

/** Saving, loading and forgetting one kind of record of a project. */
export interface RunRecordFile<T> {
  save(dir: string, record: T): Promise<void>;
  /** The record, or undefined when there is none or it is not one (a truncated or hand-edited file). */
  load(dir: string): Promise<T | undefined>;
  clear(dir: string): Promise<void>;
}

/** The record file `.allocmd/<file>` of a project folder. */
export function runRecordFile<T>(file: string, isRecord: (value: T) => boolean): RunRecordFile<T> {
  const path = (dir: string) => join(dir, STATE_DIR, file);
  return {
    save: (dir, record) => writeFileAtomic(path(dir), `${JSON.stringify(record, null, 2)}\n`),
    async load(dir) {
      try {
        const record = JSON.parse(await readFile(path(dir), "utf8")) as T;
        return record !== null && typeof record === "object" && isRecord(record) ? record : undefined;
      } catch {
        return undefined;
      }
    },
    clear: (dir) => rm(path(dir), { force: true }),
  };
}
