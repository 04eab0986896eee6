/**
 * Changes settings of an existing `config.yaml` through its YAML document, so the user's comments, order and
 * formatting stay as they are. Only values that differ are written; the result is validated before it is saved.
 */
import { readFile, writeFile } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { parseDocument } from "yaml";
import { validateConfig } from "./load-config.js";
import type { ProjectConfig } from "./schema.js";

/** One setting to change: its path in the file and the new value. */
export interface ConfigChange {
  path: readonly (string | number)[];
  value: unknown;
}

/**
 * Applies `changes` to the file at `configPath`. Returns the settings that changed (as dotted paths) and the
 * validated configuration; the file is only rewritten when something changed.
 */
export async function updateConfigFile(
  configPath: string,
  changes: readonly ConfigChange[],
): Promise<{ changed: string[]; config: ProjectConfig }> {
  const text = await readFile(configPath, "utf8");
  const doc = parseDocument(text);
  const changed: string[] = [];
  for (const change of changes) {
    const current = doc.getIn(change.path);
    const plain =
      current !== null && typeof current === "object" && "toJSON" in current
        ? (current as { toJSON(): unknown }).toJSON()
        : current;
    if (isDeepStrictEqual(plain, change.value)) continue;
    doc.setIn(change.path, doc.createNode(change.value));
    changed.push(change.path.join("."));
  }
  const config = validateConfig(doc.toJS(), configPath);
  if (changed.length > 0) await writeFile(configPath, doc.toString({ lineWidth: 0 }));
  return { changed, config };
}
