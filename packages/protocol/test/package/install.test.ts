/**
 * @allora/protocol must install and import from a project outside this workspace: pack it as it would be published,
 * install the tarball into a fresh folder, and import it from plain Node ESM and from TypeScript.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("../../", import.meta.url));
const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
let project: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "allora-protocol-consumer-"));
  execFileSync("pnpm", ["pack", "--pack-destination", project], { cwd: packageDir, stdio: "pipe" });
  const tarball = (await readdir(project)).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error("pnpm pack produced no tarball");
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], {
    cwd: project,
    stdio: "pipe",
    timeout: 300_000,
  });
}, 360_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("@allora/protocol as a published package", () => {
  it("imports from plain Node ESM", async () => {
    await writeFile(
      join(project, "main.mjs"),
      [
        'import { computeCid, workerTopicName, createAlloraRegistry, ExecuteRequest } from "@allora/protocol";',
        'const cid = computeCid(new TextEncoder().encode("hello world"));',
        "const registry = createAlloraRegistry();",
        'console.log(JSON.stringify({ cid, topic: workerTopicName(1), hasRegister: Boolean(registry.lookupType("/emissions.v1.MsgRegister")), schema: ExecuteRequest.type }));',
      ].join("\n"),
    );
    const out = JSON.parse(execFileSync("node", ["main.mjs"], { cwd: project, encoding: "utf8" }));
    expect(out).toEqual({
      cid: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
      topic: "allora-topic-1-worker",
      hasRegister: true,
      schema: "object",
    });
  });

  it("type-checks from TypeScript with the declarations resolved", async () => {
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ["main.ts"],
      }),
    );
    await writeFile(
      join(project, "main.ts"),
      [
        'import { computeCid, type ExecuteRequest, type MsgRollCall } from "@allora/protocol";',
        "const cid: string = computeCid(new Uint8Array());",
        'const body: ExecuteRequest = { function_id: cid, method: "m", topic: "1" };',
        'const roll: MsgRollCall["type"] = "MsgRollCall";',
        "// @ts-expect-error a number is not bytes: proves real types, not any",
        "computeCid(5);",
        "// @ts-expect-error function_id is required",
        'const bad: ExecuteRequest = { method: "m" };',
        "export { body, roll, bad };",
      ].join("\n"),
    );
    const result = (() => {
      try {
        return execFileSync("node", [tsc, "-p", "tsconfig.json"], { cwd: project, encoding: "utf8" });
      } catch (err) {
        return String((err as { stdout?: string }).stdout ?? err);
      }
    })();
    expect(result).toBe("");
  });
});
