/**
 * The project's `main.py`: the network's sample main.py (from `@allora/node-function`, the file the dev network's
 * workers run), with the project's name in its first line. It keeps the contract on every path (one JSON line on
 * stdout, `{"error": …}` and a non-zero exit on failure, logs on stderr) and uses the Python standard library only,
 * so it runs in the worker image with an empty requirements.txt.
 */
import { readFileSync } from "node:fs";
import { sampleMainPyPath } from "@allora/node-function";

const SAMPLE_TITLE = "Sample worker logic: ask a model server for a prediction and print it for the chain.";

/** The text of a new project's `main.py`. */
export function renderMainPy(options: { name: string }): string {
  const sample = readFileSync(sampleMainPyPath, "utf8");
  if (!sample.includes(SAMPLE_TITLE)) throw new Error(`${sampleMainPyPath} no longer starts with its sample title`);
  return sample.replace(SAMPLE_TITLE, `${options.name}: this worker's inference logic.`);
}
