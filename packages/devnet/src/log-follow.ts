/**
 * Follows a node's log file as it grows, line by line. Nodes write their output straight into their log file (not
 * through a pipe to the runner), so a runner that dies loses nothing of it and a slow terminal never stalls a node;
 * the runner reads the file for the live view.
 */
import { type FSWatcher, watch } from "node:fs";
import { open } from "node:fs/promises";

/** A followed file. */
export interface LogFollower {
  /** Reads what is left (a last line without a newline too) and stops following. */
  close(): Promise<void>;
}

/** Calls `onLine` for every line appended to `file` after byte `from`. */
export function followLog(file: string, from: number, onLine: (line: string) => void): LogFollower {
  let offset = from;
  let partial = "";
  let reading: Promise<void> | undefined;
  let again = false;
  const buffer = Buffer.alloc(64 * 1024);
  const readNew = async (): Promise<void> => {
    const handle = await open(file, "r").catch(() => undefined);
    if (!handle) return;
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        partial += buffer.toString("utf8", 0, bytesRead);
        const lines = partial.split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      }
    } finally {
      await handle.close();
    }
  };
  const pump = () => {
    if (reading) {
      again = true;
      return;
    }
    reading = readNew()
      .catch(() => {})
      .finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          pump();
        }
      });
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(file, pump);
    watcher.on("error", () => {});
  } catch {
    watcher = undefined; // no inotify: the timer below still reads
  }
  // A safety net for file systems whose change events are late or missing.
  const timer = setInterval(pump, 500);
  timer.unref();
  return {
    async close() {
      watcher?.close();
      clearInterval(timer);
      while (reading) await reading;
      await readNew().catch(() => {});
      if (partial) onLine(partial);
      partial = "";
    },
  };
}
