// Builds the dashboard's page into dist/page: src/page/main.ts (and the CSS it imports, uPlot's included) bundled
// and minified by esbuild under content-hashed names, and index.html pointing at them. Prints the gzipped size of
// everything the page loads. Run by `pnpm build`.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "page");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, "src", "page", "main.ts") },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  platform: "browser",
  entryNames: "[name]-[hash]",
  outdir: out,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith(".js"));
const css = outputs.find((f) => f.endsWith(".css"));
if (!js || !css) throw new Error(`esbuild wrote ${outputs.join(", ")}: expected one .js and one .css`);
const template = await readFile(join(root, "src", "page", "index.html"), "utf8");
const html = template.replace("%APP_JS%", js).replace("%APP_CSS%", css);
await writeFile(join(out, "index.html"), html);

let total = 0;
const rows = [];
for (const name of ["index.html", js, css]) {
  const bytes = await readFile(join(out, name));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  rows.push(`${name} ${(bytes.length / 1024).toFixed(1)} KiB (${(gz / 1024).toFixed(1)} KiB gzipped)`);
}
await writeFile(join(out, "sizes.txt"), `${rows.join("\n")}\ntotal gzipped: ${(total / 1024).toFixed(1)} KiB\n`);
process.stdout.write(`page: ${rows.join(", ")}; total ${(total / 1024).toFixed(1)} KiB gzipped\n`);
