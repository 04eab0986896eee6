import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { afterEach, describe, expect, it } from "vitest";
import {
  AlloraError,
  computeCid,
  type FunctionManifest,
  isVerifiableCid,
  makeFunctionPackage,
  makeTar,
  openFunctionPackage,
  readTar,
  unpackFunctionPackage,
  verifyCid,
} from "../../src/index.js";
import vectors from "../vectors/chain-vectors.json" with { type: "json" };

const enc = new TextEncoder();
const manifest: FunctionManifest = {
  name: "echo",
  version: "1.0.0",
  kind: "generic",
  entry: "bin/echo.py",
  interpreter: "python3",
  methods: ["echo"],
};
const files = [
  { path: "bin/echo.py", data: enc.encode("print('hi')\n"), executable: true },
  { path: "README.md", data: enc.encode("# echo\n") },
];

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "allora-pkg-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof AlloraError ? err.code : String(err);
  }
  return undefined;
}

/** A raw ustar header for crafting hostile archives. */
function rawEntry(name: string, typeflag: string, data = new Uint8Array()): Uint8Array {
  const block = new Uint8Array(512);
  block.set(enc.encode(name), 0);
  block.set(enc.encode("0000644\0"), 100);
  block.set(enc.encode("0000000\0"), 108);
  block.set(enc.encode("0000000\0"), 116);
  block.set(enc.encode(`${data.length.toString(8).padStart(11, "0")}\0`), 124);
  block.set(enc.encode("00000000000\0"), 136);
  block.fill(0x20, 148, 156);
  block[156] = typeflag.charCodeAt(0);
  block.set(enc.encode("ustar\0"), 257);
  let sum = 0;
  for (const b of block) sum += b;
  block.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  const body = new Uint8Array(Math.ceil(data.length / 512) * 512);
  body.set(data);
  return Uint8Array.from([...block, ...body]);
}
function archive(...entries: Uint8Array[]): Uint8Array {
  return Uint8Array.from([...entries.flatMap((e) => [...e]), ...new Uint8Array(1024)]);
}

describe("CIDs", () => {
  it("match multiformats' own computation and the published CID of known bytes", async () => {
    for (const [text, published] of Object.entries(vectors.cids)) {
      const bytes = enc.encode(text);
      const independent = CID.create(1, raw.code, await sha256.digest(bytes)).toString();
      expect(computeCid(bytes)).toBe(independent);
      expect(computeCid(bytes)).toBe(published);
    }
  });

  it("verify bytes and reject mismatches, unsupported and invalid CIDs", () => {
    const bytes = enc.encode("hello world");
    verifyCid(vectors.cids["hello world"], bytes);
    expect(codeOf(() => verifyCid(vectors.cids["hello world"], enc.encode("hello world!")))).toBe(
      "FUNCTION_CID_MISMATCH",
    );
    expect(codeOf(() => verifyCid("bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm", bytes))).toBe(
      "FUNCTION_CID_UNSUPPORTED",
    );
    expect(codeOf(() => verifyCid("not-a-cid", bytes))).toBe("FUNCTION_CID_INVALID");
    expect(isVerifiableCid(vectors.cids[""])).toBe(true);
    expect(isVerifiableCid("bafybeigpiwl3o73zvvl6dxdqu7zqcub5mhg65jiky2xqb4rdhfmikswzqm")).toBe(false);
  });
});

describe("function packages", () => {
  it("pack deterministically, whatever the input order", () => {
    const a = makeFunctionPackage(manifest, files);
    const b = makeFunctionPackage(manifest, [...files].reverse());
    expect(b.cid).toBe(a.cid);
    expect(b.bytes).toEqual(a.bytes);
    expect(a.cid).toMatch(/^bafkrei/);
    expect(makeFunctionPackage({ ...manifest, version: "1.0.1" }, files).cid).not.toBe(a.cid);
    const reordered = {
      methods: manifest.methods,
      interpreter: manifest.interpreter,
      entry: manifest.entry,
      kind: manifest.kind,
      version: manifest.version,
      name: manifest.name,
    };
    expect(makeFunctionPackage(reordered, files).cid).toBe(a.cid);
  });

  it("are ustar archives that standard tar reads, with zeroed owners and normalised modes", async () => {
    const dir = await tempDir();
    const pkg = makeFunctionPackage(manifest, files);
    await writeFile(join(dir, "p.tar"), pkg.bytes);
    const listing = execFileSync("tar", ["-tvf", join(dir, "p.tar")], { encoding: "utf8" });
    expect(listing).toMatch(/-rw-r--r-- 0\/0 .* README\.md/);
    expect(listing).toMatch(/-rwxr-xr-x 0\/0 .* bin\/echo\.py/);
    expect(listing).toMatch(/manifest\.json/);
  });

  it("read back to the same manifest and files", () => {
    const pkg = makeFunctionPackage(manifest, files);
    const opened = openFunctionPackage(pkg.cid, pkg.bytes);
    expect(opened.manifest).toEqual(manifest);
    expect(opened.files.find((f) => f.path === "bin/echo.py")).toMatchObject({ executable: true });
  });

  it("unpack into a folder after verifying the CID, and refuse tampered bytes", async () => {
    const dir = await tempDir();
    const pkg = makeFunctionPackage(manifest, files);
    const target = join(dir, pkg.cid);
    expect(await unpackFunctionPackage(pkg.cid, pkg.bytes, target)).toEqual(manifest);
    expect(await readFile(join(target, "bin/echo.py"), "utf8")).toBe("print('hi')\n");
    expect((await stat(join(target, "bin/echo.py"))).mode & 0o111).not.toBe(0);

    const tampered = pkg.bytes.slice();
    tampered[600] = (tampered[600] as number) ^ 1;
    const other = join(dir, "other");
    await expect(unpackFunctionPackage(pkg.cid, tampered, other)).rejects.toMatchObject({
      code: "FUNCTION_CID_MISMATCH",
    });
    expect(await readdir(dir)).toEqual([pkg.cid]);
  });

  it.each([
    ["an absolute path", archive(rawEntry("/etc/passwd", "0", enc.encode("x")))],
    ["a parent path", archive(rawEntry("../escape", "0", enc.encode("x")))],
    ["a nested parent path", archive(rawEntry("a/../../escape", "0", enc.encode("x")))],
    ["a symlink", archive(rawEntry("link", "2"))],
    ["a hard link", archive(rawEntry("link", "1"))],
    ["a device", archive(rawEntry("dev", "3"))],
    ["a fifo", archive(rawEntry("fifo", "6"))],
    ["a duplicate path", archive(rawEntry("a", "0", enc.encode("1")), rawEntry("a", "0", enc.encode("2")))],
  ])("refuse archives with %s", (_name, bytes) => {
    expect(codeOf(() => readTar(bytes))).toBe("FUNCTION_PACKAGE_UNSAFE");
  });

  it("enforce size and entry caps, and reject broken archives", () => {
    const big = makeTar([{ path: "big", data: new Uint8Array(4096) }]);
    expect(codeOf(() => readTar(big, { maxArchiveBytes: 1024, maxFileBytes: 1e9, maxEntries: 10 }))).toBe(
      "FUNCTION_PACKAGE_TOO_LARGE",
    );
    expect(codeOf(() => readTar(big, { maxArchiveBytes: 1e9, maxFileBytes: 1000, maxEntries: 10 }))).toBe(
      "FUNCTION_PACKAGE_TOO_LARGE",
    );
    const many = makeTar(Array.from({ length: 5 }, (_, i) => ({ path: `f${i}`, data: new Uint8Array(1) })));
    expect(codeOf(() => readTar(many, { maxArchiveBytes: 1e9, maxFileBytes: 1e9, maxEntries: 4 }))).toBe(
      "FUNCTION_PACKAGE_TOO_LARGE",
    );
    expect(codeOf(() => readTar(new Uint8Array(100)))).toBe("FUNCTION_PACKAGE_INVALID");
    const corrupt = big.slice();
    corrupt[0] = 0x41;
    expect(codeOf(() => readTar(corrupt))).toBe("FUNCTION_PACKAGE_INVALID");
    expect(codeOf(() => readTar(big.subarray(0, 512 * 2)))).toBe("FUNCTION_PACKAGE_INVALID");
  });

  it.each([
    ["a file, then a file inside it", [rawEntry("a", "0", enc.encode("1")), rawEntry("a/b", "0", enc.encode("2"))]],
    ["a file inside a path, then a file of that name", [rawEntry("a/b", "0"), rawEntry("a", "0")]],
    ["a folder entry, then a file of that name", [rawEntry("a/", "5"), rawEntry("a", "0")]],
    ["a file, then a folder entry of that name", [rawEntry("a", "0"), rawEntry("a/", "5")]],
  ])("refuse %s with FUNCTION_PACKAGE_PATH_CONFLICT, before anything reaches the disk", async (_name, entries) => {
    const bytes = archive(...entries);
    expect(codeOf(() => readTar(bytes))).toBe("FUNCTION_PACKAGE_PATH_CONFLICT");
    const dir = await tempDir();
    await expect(unpackFunctionPackage(computeCid(bytes), bytes, join(dir, "pkg"))).rejects.toMatchObject({
      code: "FUNCTION_PACKAGE_PATH_CONFLICT",
      message: expect.stringContaining("both a file and a folder"),
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuse to pack a path that is both a file and a folder", () => {
    const clash = [
      { path: "lib", data: enc.encode("x") },
      { path: "lib/util.py", data: enc.encode("y") },
    ];
    expect(codeOf(() => makeTar(clash))).toBe("FUNCTION_PACKAGE_PATH_CONFLICT");
  });

  it("count folder entries toward the entry cap", () => {
    const limits = { maxArchiveBytes: 1e9, maxFileBytes: 1e9, maxEntries: 4 };
    const folders = archive(...Array.from({ length: 4 }, (_, i) => rawEntry(`d${i}/`, "5")), rawEntry("f", "0"));
    expect(codeOf(() => readTar(folders, limits))).toBe("FUNCTION_PACKAGE_TOO_LARGE");
    const onlyFolders = archive(...Array.from({ length: 5 }, (_, i) => rawEntry(`d${i}/`, "5")));
    expect(codeOf(() => readTar(onlyFolders, limits))).toBe("FUNCTION_PACKAGE_TOO_LARGE");
    const atCap = archive(...Array.from({ length: 3 }, (_, i) => rawEntry(`d${i}/`, "5")), rawEntry("d0/f", "0"));
    expect(readTar(atCap, limits).map((f) => f.path)).toEqual(["d0/f"]);
  });

  it("reject invalid manifests and a missing entry", () => {
    expect(codeOf(() => makeFunctionPackage({ ...manifest, kind: "wasm" } as never, files))).toBe(
      "FUNCTION_PACKAGE_INVALID",
    );
    expect(codeOf(() => makeFunctionPackage({ ...manifest, entry: "nope.py" }, files))).toBe(
      "FUNCTION_PACKAGE_INVALID",
    );
    const noManifest = makeTar(files);
    expect(codeOf(() => openFunctionPackage(computeCid(noManifest), noManifest))).toBe("FUNCTION_PACKAGE_INVALID");
  });
});
