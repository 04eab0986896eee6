/**
 * Function packages: a deterministic tar of `manifest.json` plus files, named by its CID.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { AlloraError } from "../errors.js";
import { computeCid, verifyCid } from "./cid.js";
import { FunctionManifest, MANIFEST_FILE } from "./manifest.js";
import { DEFAULT_TAR_LIMITS, makeTar, readTar, type TarFile, type TarLimits } from "./tar.js";

const manifestCheck = TypeCompiler.Compile(FunctionManifest);
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A packed function: its bytes, CID and manifest. */
export interface FunctionPackage {
  cid: string;
  bytes: Uint8Array;
  manifest: FunctionManifest;
}

/** Throws `FUNCTION_PACKAGE_INVALID` naming the first problem unless `value` is a valid manifest. */
export function assertManifest(value: unknown): asserts value is FunctionManifest {
  if (manifestCheck.Check(value)) return;
  const first = manifestCheck.Errors(value).First();
  throw new AlloraError(
    "FUNCTION_PACKAGE_INVALID",
    `manifest.json: ${first?.path || "(root)"} ${first?.message ?? "is invalid"}`,
  );
}

/**
 * Packs a manifest and files into a package and computes its CID. The same inputs always give the same bytes.
 *
 * @example
 * ```ts
 * const pkg = makeFunctionPackage(
 *   { name: "echo", version: "1.0.0", kind: "generic", entry: "echo.py", interpreter: "python3", methods: ["echo"] },
 *   [{ path: "echo.py", data: new TextEncoder().encode("print('hi')") }],
 * )
 * console.log(pkg.cid)
 * ```
 */
export function makeFunctionPackage(manifest: FunctionManifest, files: readonly TarFile[]): FunctionPackage {
  assertManifest(manifest);
  if (files.some((f) => f.path === MANIFEST_FILE)) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", "pass the manifest as `manifest`, not as a file");
  }
  if (!files.some((f) => f.path === manifest.entry)) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", `manifest entry ${manifest.entry} is not among the files`);
  }
  // Keys in one fixed order, so equal manifests always give equal bytes (and the same CID).
  const ordered = {
    name: manifest.name,
    version: manifest.version,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    kind: manifest.kind,
    entry: manifest.entry,
    interpreter: manifest.interpreter,
    methods: manifest.methods,
  };
  const canonical = encoder.encode(`${JSON.stringify(ordered, null, 2)}\n`);
  const bytes = makeTar([...files, { path: MANIFEST_FILE, data: canonical }]);
  return { cid: computeCid(bytes), bytes, manifest };
}

/** Reads a package's files and manifest (no CID check: use {@link openFunctionPackage} for untrusted bytes). */
export function readFunctionPackage(
  bytes: Uint8Array,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): { manifest: FunctionManifest; files: TarFile[] } {
  const files = readTar(bytes, limits);
  const manifestFile = files.find((f) => f.path === MANIFEST_FILE);
  if (!manifestFile) throw new AlloraError("FUNCTION_PACKAGE_INVALID", "package has no manifest.json");
  let manifest: unknown;
  try {
    manifest = JSON.parse(decoder.decode(manifestFile.data));
  } catch (cause) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", "manifest.json is not UTF-8 JSON", { cause });
  }
  assertManifest(manifest);
  if (!files.some((f) => f.path === manifest.entry)) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", `manifest entry ${manifest.entry} is missing from the package`);
  }
  return { manifest, files };
}

/** Verifies untrusted bytes against the CID they were fetched for, then reads them. */
export function openFunctionPackage(
  cid: string,
  bytes: Uint8Array,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): { manifest: FunctionManifest; files: TarFile[] } {
  verifyCid(cid, bytes);
  return readFunctionPackage(bytes, limits);
}

/**
 * Verifies `bytes` against `cid` and unpacks them into `dir` (created; must not exist yet). The files are written
 * into a temporary sibling folder first and renamed into place, so a half-unpacked package is never visible.
 */
export async function unpackFunctionPackage(
  cid: string,
  bytes: Uint8Array,
  dir: string,
  limits: TarLimits = DEFAULT_TAR_LIMITS,
): Promise<FunctionManifest> {
  const { manifest, files } = openFunctionPackage(cid, bytes, limits);
  const root = resolve(dir);
  const staging = `${root}.partial-${process.pid}-${Date.now()}`;
  await rm(staging, { recursive: true, force: true });
  try {
    for (const file of files) {
      const target = resolve(staging, file.path);
      if (!target.startsWith(staging + sep)) {
        throw new AlloraError("FUNCTION_PACKAGE_UNSAFE", `entry ${file.path} escapes the package folder`);
      }
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.data, { flag: "wx", mode: file.executable ? 0o755 : 0o644 });
    }
    await mkdir(dirname(root), { recursive: true });
    await rename(staging, root);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return manifest;
}

/** Path of `entry` inside an unpacked package folder. */
export function packageEntryPath(dir: string, manifest: FunctionManifest): string {
  return join(dir, manifest.entry);
}
