import { describe, expect, it } from "vitest";
import { aggregateResults } from "../../src/execution/aggregate.js";

const out = (stdout: string, exit_code = 0, stderr = "") => ({ stdout, stderr, exit_code });

describe("aggregation", () => {
  it("groups identical outputs with their peers and share in percent, most frequent first", () => {
    const results = aggregateResults([
      { peer: "a", output: out("1\n") },
      { peer: "b", output: out("2\n") },
      { peer: "c", output: out("2\n") },
      { peer: "d", output: out("2\n", 0, "warn") },
    ]);
    expect(results).toEqual([
      { result: out("2\n"), peers: ["b", "c"], frequency: 50 },
      { result: out("1\n"), peers: ["a"], frequency: 25 },
      { result: out("2\n", 0, "warn"), peers: ["d"], frequency: 25 },
    ]);
  });

  it("treats a different exit code as a different output", () => {
    expect(
      aggregateResults([
        { peer: "a", output: out("x") },
        { peer: "b", output: out("x", 1) },
      ]),
    ).toHaveLength(2);
  });

  it("returns nothing for no outputs", () => {
    expect(aggregateResults([])).toEqual([]);
  });
});
