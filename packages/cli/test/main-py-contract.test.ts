/**
 * `allocmd test` and a worker give the same verdict on the same main.py: each source runs once through the worker's
 * own main.py session (cold and warm), and the run is judged both ways, by `allocmd test`'s check and by what the
 * worker signs. A value `allocmd test` passes is exactly a value the worker signs.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MainPySession, readInference, startMainPySession } from "@allora/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMainPyRun } from "../src/main-py/check-output.js";
import { toMainPyResult } from "../src/main-py/run-main-py.js";

const TIMEOUT_MS = 10_000;
const SOURCES: Array<[string, string]> = [
  ["a decimal string", 'import json\nprint(json.dumps({"infererValue": "2946.45"}))'],
  ["the topic's argument echoed", 'import json, sys\nprint(json.dumps({"infererValue": str(len(sys.argv[4]))}))'],
  ["a number", 'import json\nprint(json.dumps({"infererValue": 2946.45}))'],
  ["logs on stdout", 'import json\nprint("loading")\nprint(json.dumps({"infererValue": "1"}))'],
  ["an exponent", 'import json\nprint(json.dumps({"infererValue": "2.9e3"}))'],
  ["a reported error", 'import json, sys\nprint(json.dumps({"error": "model down"}))\nsys.exit(1)'],
  ["an error with exit 0", 'import json\nprint(json.dumps({"error": "no data"}))'],
  ["a value with exit 3", 'import json, sys\nprint(json.dumps({"infererValue": "1"}))\nsys.exit(3)'],
  ["a crash", "import module_that_is_not_installed"],
  ["nothing", "pass"],
];

let dir: string;
const sessions = new Map<string, MainPySession>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "main-py-contract-"));
  for (const [i, [what, source]] of SOURCES.entries()) {
    const folder = join(dir, String(i));
    await mkdir(folder);
    await writeFile(join(folder, "main.py"), `${source}\n`);
    sessions.set(
      what,
      await startMainPySession({
        mainPy: join(folder, "main.py"),
        python: "python3",
        functionEnv: {},
        timeoutMs: TIMEOUT_MS,
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const session of sessions.values()) await session.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("allocmd test and the worker agree on main.py's output", () => {
  for (const [what] of SOURCES) {
    for (const mode of ["cold", "warm"] as const) {
      it(`${what} (${mode})`, async () => {
        const run = await (sessions.get(what) as MainPySession).run({ topic: 1, arg: "ETH", mode });
        const cli = checkMainPyRun(toMainPyResult(mode, run), TIMEOUT_MS);
        let signed: string | undefined;
        let refusal: string | undefined;
        try {
          signed = readInference(run);
        } catch (err) {
          refusal = (err as { code?: string }).code;
        }
        expect(signed).toBe(cli.status === "ok" ? cli.value : undefined);
        expect(refusal).toBe(cli.status === "ok" ? undefined : "INFERENCE_OUTPUT_INVALID");
      });
    }
  }

  it("passes exactly the two well-formed sources", async () => {
    const ok: string[] = [];
    for (const [what, session] of sessions) {
      const verdict = checkMainPyRun(
        toMainPyResult("cold", await session.run({ topic: 1, arg: "ETH", mode: "cold" })),
        TIMEOUT_MS,
      );
      if (verdict.status === "ok") ok.push(what);
    }
    expect(ok).toEqual(["a decimal string", "the topic's argument echoed"]);
  });
});
