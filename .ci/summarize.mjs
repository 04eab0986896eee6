// Sums every package's vitest JSON report into the closing line "N passed, N failed". A non-zero exit of the test
// command that no test explains (lint, type check, build) counts as one more failure.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const status = Number(process.argv[2] ?? 0);
const reports = [];
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(group)) reports.push(join(group, name, ".vitest", "results.json"));
}
reports.push(join("e2e", ".vitest", "results.json"));
reports.push(join("e2e", ".vitest", "results-cold.json")); // the integration and e2e suites again, cold workers

let passed = 0;
let failed = 0;
for (const file of reports) {
  try {
    statSync(file);
  } catch {
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  const p = report.numPassedTests ?? 0;
  const f = (report.numFailedTests ?? 0) + (report.numTodoTests ?? 0) * 0;
  passed += p;
  failed += f;
  console.log(
    `${file.replace("/.vitest/results.json", "").replace("/.vitest/results-cold.json", " (cold)").padEnd(28)} ${p} passed, ${f} failed`,
  );
}
if (status !== 0 && failed === 0) {
  console.log("the test command failed outside the test suites (build, type check or lint): counted as 1 failure");
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || status !== 0 ? 1 : 0);
