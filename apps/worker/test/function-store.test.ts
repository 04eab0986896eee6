import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GUIDE_FUNCTION_CID, makeFunctionPackage, silentLogger } from "@allora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { createFunctionStore, type PackageSource } from "../src/functions/function-store.js";

const pkg = makeFunctionPackage(
  { name: "fn", version: "1", kind: "generic", entry: "a.sh", interpreter: "sh", methods: ["run"] },
  [{ path: "a.sh", data: new TextEncoder().encode("echo hi\n"), executable: true }],
);
const other = makeFunctionPackage(
  { name: "fn", version: "2", kind: "generic", entry: "a.sh", interpreter: "sh", methods: ["run"] },
  [{ path: "a.sh", data: new TextEncoder().encode("echo evil\n"), executable: true }],
);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function store(aliases = new Map<string, string>()) {
  const dir = await mkdtemp(join(tmpdir(), "store-"));
  dirs.push(dir);
  const s = createFunctionStore({ dir, aliases, gateways: [], logger: silentLogger });
  await s.start();
  return { s, dir };
}
const source = (bytes: Uint8Array, counter = { n: 0 }): PackageSource => ({
  describe: "test source",
  fetch: async () => {
    counter.n++;
    return bytes;
  },
});

describe("function store", () => {
  it("installs by CID once, even with concurrent requests, and resolves aliases", async () => {
    const { s } = await store(new Map([[GUIDE_FUNCTION_CID, pkg.cid]]));
    const counter = { n: 0 };
    const [a, b] = await Promise.all([
      s.ensure(GUIDE_FUNCTION_CID, source(pkg.bytes, counter)),
      s.ensure(pkg.cid, source(pkg.bytes, counter)),
    ]);
    expect(a.cid).toBe(pkg.cid);
    expect(b).toBe(a);
    expect(counter.n).toBe(1);
    expect(await readFile(join(a.dir, "a.sh"), "utf8")).toBe("echo hi\n");
  });

  it("refuses bytes that do not match the CID and installs nothing", async () => {
    const { s } = await store();
    await expect(s.ensure(pkg.cid, source(other.bytes))).rejects.toMatchObject({ code: "FUNCTION_CID_MISMATCH" });
    expect(s.get(pkg.cid)).toBeUndefined();
  });

  it("refuses a function id that is neither a package CID nor an alias", async () => {
    const { s } = await store();
    await expect(s.ensure(GUIDE_FUNCTION_CID)).rejects.toMatchObject({ code: "FUNCTION_CID_UNSUPPORTED" });
    await expect(s.ensure(pkg.cid)).rejects.toMatchObject({ code: "FUNCTION_INSTALL_FAILED" });
  });

  it("re-verifies stored packages at start and drops one that was tampered with on disk", async () => {
    const { s, dir } = await store();
    await s.ensure(pkg.cid, source(pkg.bytes));
    const again = createFunctionStore({ dir, aliases: new Map(), gateways: [], logger: silentLogger });
    await again.start();
    expect(again.get(pkg.cid)?.manifest.name).toBe("fn");
    await writeFile(join(dir, "packages", `${pkg.cid}.tar`), other.bytes);
    const third = createFunctionStore({ dir, aliases: new Map(), gateways: [], logger: silentLogger });
    await third.start();
    expect(third.get(pkg.cid)).toBeUndefined();
  });
});
