#!/usr/bin/env node
// Keeps the source's shape: no function in apps/*/src or packages/*/src does more than MAX_OWN_LINES lines itself
// (its body's lines less the lines of the functions nested in it, as the TypeScript compiler counts them), and no
// node code calls `fetch` (node code uses @allora/protocol's http client; fetch refuses some ports and has no
// per-request bounds). `--list N` prints the N largest functions. Exits 1 with one line a finding.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import ts from "typescript";

const MAX_OWN_LINES = 60;
/** Browser code, where `fetch` is the platform's client. */
const BROWSER_CODE = [/^apps\/dashboard\/src\/page\//];

const files = execFileSync("git", ["ls-files", "apps/*/src/**.ts", "packages/*/src/**.ts"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => f && !f.endsWith(".d.ts"));

const isFunction = (n) =>
  (ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessor(n) ||
    ts.isSetAccessor(n)) &&
  n.body !== undefined;

function nameOf(n, src) {
  if (n.name) return n.name.getText(src);
  const p = n.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))
    return p.name.getText(src);
  return "<anonymous>";
}

const functions = [];
const fetchCalls = [];
for (const file of files) {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const line = (pos) => src.getLineAndCharacterOfPosition(pos).line;
  const span = (n) => line(n.getEnd()) - line(n.getStart(src)) + 1;
  const browser = BROWSER_CODE.some((re) => re.test(file));
  const visit = (n) => {
    if (isFunction(n)) {
      let nested = 0;
      const inner = (m) => {
        if (isFunction(m)) nested += span(m);
        else ts.forEachChild(m, inner);
      };
      ts.forEachChild(n.body, inner);
      functions.push({ own: span(n.body) - nested, at: `${file}:${line(n.getStart(src)) + 1}`, name: nameOf(n, src) });
    }
    if (!browser && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "fetch") {
      fetchCalls.push(`${file}:${line(n.getStart(src)) + 1}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}

functions.sort((a, b) => b.own - a.own);
const listAt = process.argv.indexOf("--list");
if (listAt !== -1) {
  for (const f of functions.slice(0, Number(process.argv[listAt + 1] ?? 20)))
    console.log(`${f.own}\t${f.at}\t${f.name}`);
  process.exit(0);
}
const findings = [
  ...functions
    .filter((f) => f.own > MAX_OWN_LINES)
    .map((f) => `${f.at}: ${f.name} does ${f.own} lines itself (at most ${MAX_OWN_LINES}): split it by what it does`),
  ...fetchCalls.map((at) => `${at}: fetch in node code: use request/getJson from @allora/protocol's http client`),
];
for (const f of findings) console.error(f);
if (findings.length > 0) process.exit(1);
console.log(`shape: ${functions.length} functions, none over ${MAX_OWN_LINES} own lines; no fetch in node code`);
