/**
 * The built page (`dist/page`, made by scripts/build-page.mjs), held in memory with a gzip copy of each file.
 * Hashed asset names are cached for a year; the HTML never, so a rebuilt page is picked up on reload.
 */
import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { AlloraError } from "@allora/protocol";

/** One file of the page. */
export interface PageFile {
  body: Buffer;
  gzip: Buffer;
  type: string;
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The files of the page by URL path (`/` is index.html). */
export async function loadPageFiles(dir: string): Promise<Map<string, PageFile>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new AlloraError("PAGE_NOT_BUILT", `the page is not built (${dir} is missing): run pnpm build`, {
      cause: err,
    });
  }
  const files = new Map<string, PageFile>();
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = await readFile(join(dir, name));
    const file = { body, gzip: gzipSync(body, { level: 9 }), type, immutable: /-[A-Z0-9]{8}\.\w+$/.test(name) };
    files.set(name === "index.html" ? "/" : `/${name}`, file);
  }
  if (!files.has("/")) throw new AlloraError("PAGE_NOT_BUILT", `${dir} has no index.html: run pnpm build`);
  return files;
}
