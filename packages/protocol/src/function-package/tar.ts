/**
 * A minimal, deterministic ustar writer and a strict reader. Writing sorts entries, zeroes mtime/uid/gid, and
 * normalises modes, so the same files always give the same bytes (and so the same CID). Reading accepts regular
 * files and directories only and refuses anything that could escape the target folder.
 */
import { AlloraError } from "../errors.js";

const BLOCK = 512;

/** One file to put in an archive. */
export interface TarFile {
  /** Relative POSIX path, e.g. `bin/run.py`. */
  path: string;
  /** File contents. */
  data: Uint8Array;
  /** True for executables (mode 0755); others get 0644. */
  executable?: boolean;
}

/** Caps applied when reading an archive. */
export interface TarLimits {
  /** Largest archive in bytes. */
  maxArchiveBytes: number;
  /** Largest single file in bytes. */
  maxFileBytes: number;
  /** Most entries. */
  maxEntries: number;
}

/** Default caps: 16 MiB archive, 8 MiB per file, 256 entries. */
export const DEFAULT_TAR_LIMITS: TarLimits = {
  maxArchiveBytes: 16 * 1024 * 1024,
  maxFileBytes: 8 * 1024 * 1024,
  maxEntries: 256,
};

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Throws `FUNCTION_PACKAGE_UNSAFE` unless `path` is a plain relative path without `.`/`..` segments. */
export function assertSafeRelativePath(path: string): void {
  const bad =
    path.length === 0 ||
    path.startsWith("/") ||
    path.includes("\\") ||
    path.includes("\0") ||
    path.split("/").some((seg) => seg === "" || seg === "." || seg === "..");
  if (bad) {
    throw new AlloraError("FUNCTION_PACKAGE_UNSAFE", `unsafe path in package: ${JSON.stringify(path)}`, {
      details: { path },
    });
  }
}

/**
 * The paths of one archive as a tree: a path may be a file or a folder, never both (unpacking "a" then "a/b" would
 * fail with the file system's EEXIST/ENOTDIR instead of a coded refusal).
 */
class PackagePaths {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  addFile(path: string): void {
    if (this.files.has(path)) throw new AlloraError("FUNCTION_PACKAGE_UNSAFE", `duplicate entry ${path}`);
    if (this.dirs.has(path)) throw conflict(path);
    this.addParents(path);
    this.files.add(path);
  }

  addDir(path: string): void {
    if (this.files.has(path)) throw conflict(path);
    this.addParents(path);
    this.dirs.add(path);
  }

  private addParents(path: string): void {
    for (let cut = path.indexOf("/"); cut !== -1; cut = path.indexOf("/", cut + 1)) {
      const parent = path.slice(0, cut);
      if (this.files.has(parent)) throw conflict(parent);
      this.dirs.add(parent);
    }
  }
}

function conflict(path: string): AlloraError {
  return new AlloraError(
    "FUNCTION_PACKAGE_PATH_CONFLICT",
    `${path} is both a file and a folder in the package; rename one of them`,
    { details: { path } },
  );
}

function writeString(block: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.byteLength > length) throw new Error(`tar field too long: ${value}`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function splitName(path: string): { name: string; prefix: string } {
  if (encoder.encode(path).byteLength <= 100) return { name: path, prefix: "" };
  const cut = path.lastIndexOf("/", 155);
  const prefix = path.slice(0, cut);
  const name = path.slice(cut + 1);
  if (cut <= 0 || encoder.encode(prefix).byteLength > 155 || encoder.encode(name).byteLength > 100) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", `path too long for ustar: ${path}`);
  }
  return { name, prefix };
}

function header(path: string, size: number, mode: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { name, prefix } = splitName(path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0);
  block.fill(0x20, 148, 156);
  block[156] = 0x30; // '0': regular file
  writeString(block, 257, 6, "ustar\0");
  writeString(block, 263, 2, "00");
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return block;
}

/**
 * Packs files into a deterministic ustar archive (entries sorted by path, mtime/uid/gid 0, modes 0644/0755).
 *
 * @example
 * ```ts
 * const tar = makeTar([{ path: "manifest.json", data: bytes }])
 * ```
 */
export function makeTar(files: readonly TarFile[]): Uint8Array {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const paths = new PackagePaths();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const file of sorted) {
    assertSafeRelativePath(file.path);
    if (seen.has(file.path)) throw new AlloraError("FUNCTION_PACKAGE_INVALID", `duplicate path ${file.path}`);
    seen.add(file.path);
    paths.addFile(file.path);
    const head = header(file.path, file.data.byteLength, file.executable ? 0o755 : 0o644);
    const padded = Math.ceil(file.data.byteLength / BLOCK) * BLOCK;
    const body = new Uint8Array(padded);
    body.set(file.data);
    parts.push(head, body);
    total += BLOCK + padded;
  }
  parts.push(new Uint8Array(BLOCK * 2));
  total += BLOCK * 2;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  try {
    return decoder.decode(end === -1 ? slice : slice.subarray(0, end));
  } catch (cause) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", "tar header is not UTF-8", { cause });
  }
}

function readOctal(block: Uint8Array, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text))
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", `bad octal field "${text}" in tar header`);
  return Number.parseInt(text, 8);
}

/** A ustar header block, checksum verified. */
interface TarHeader {
  path: string;
  size: number;
  mode: number;
  typeflag: string;
}

function readHeader(block: Uint8Array): TarHeader {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  if (sum !== readOctal(block, 148, 8))
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", "tar header checksum mismatch");
  const name = readString(block, 0, 100);
  const prefix = readString(block, 345, 155);
  return {
    path: (prefix ? `${prefix}/${name}` : name).replace(/\/$/, ""),
    size: readOctal(block, 124, 12),
    mode: readOctal(block, 100, 8),
    typeflag: String.fromCharCode(block[156] as number),
  };
}

function assertArchiveShape(bytes: Uint8Array, limits: TarLimits): void {
  if (bytes.byteLength > limits.maxArchiveBytes) {
    throw new AlloraError(
      "FUNCTION_PACKAGE_TOO_LARGE",
      `package is ${bytes.byteLength} bytes; the limit is ${limits.maxArchiveBytes}`,
    );
  }
  if (bytes.byteLength % BLOCK !== 0) {
    throw new AlloraError("FUNCTION_PACKAGE_INVALID", "package is not a tar archive (size is not a multiple of 512)");
  }
}

/** A regular file within the size limit, or the refusal naming why not. */
function assertRegularFile({ path, size, typeflag }: TarHeader, limits: TarLimits): void {
  if (typeflag !== "0" && typeflag !== "\0") {
    throw new AlloraError("FUNCTION_PACKAGE_UNSAFE", `entry ${path} is not a regular file (type "${typeflag}")`, {
      details: { path, typeflag },
    });
  }
  if (size > limits.maxFileBytes) {
    throw new AlloraError(
      "FUNCTION_PACKAGE_TOO_LARGE",
      `entry ${path} is ${size} bytes; the limit is ${limits.maxFileBytes}`,
    );
  }
}

/**
 * Reads a ustar archive made of regular files (and directory entries, which are skipped but count toward
 * `maxEntries`). Links, devices, FIFOs, unsafe paths, duplicate paths, a path that is both a file and a folder and
 * anything over `limits` are refused.
 */
export function readTar(bytes: Uint8Array, limits: TarLimits = DEFAULT_TAR_LIMITS): TarFile[] {
  assertArchiveShape(bytes, limits);
  const files: TarFile[] = [];
  const paths = new PackagePaths();
  let entries = 0;
  let offset = 0;
  while (offset + BLOCK <= bytes.byteLength) {
    const block = bytes.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) return files;
    const header = readHeader(block);
    const { path, size } = header;
    offset += BLOCK;
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (offset + padded > bytes.byteLength)
      throw new AlloraError("FUNCTION_PACKAGE_INVALID", "tar entry runs past the end");
    assertSafeRelativePath(path);
    // Every entry counts, folders too: 20 000 empty folders are as costly to unpack as 20 000 files.
    if (++entries > limits.maxEntries) {
      throw new AlloraError("FUNCTION_PACKAGE_TOO_LARGE", `package has more than ${limits.maxEntries} entries`);
    }
    if (header.typeflag === "5") {
      paths.addDir(path);
    } else {
      assertRegularFile(header, limits);
      paths.addFile(path);
      files.push({ path, data: bytes.slice(offset, offset + size), executable: (header.mode & 0o111) !== 0 });
    }
    offset += padded;
  }
  throw new AlloraError("FUNCTION_PACKAGE_INVALID", "tar archive has no end marker");
}
