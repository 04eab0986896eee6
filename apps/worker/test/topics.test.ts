/**
 * One reading of a topic for everything a request carries, and the bounded memory of rounds and refusals.
 */
import { describe, expect, it } from "vitest";
import { BoundedSet } from "../src/bounded-set.js";
import { topicIdOf } from "../src/topics.js";

describe("topicIdOf", () => {
  it("reads a topic id and a worker topic name alike", () => {
    expect(topicIdOf("7")).toBe(7n);
    expect(topicIdOf("allora-topic-7-worker")).toBe(7n);
  });

  it("is undefined for anything else", () => {
    for (const value of [
      "",
      "x",
      "allora-topic-7-reputer",
      "allora-topic--worker",
      "1/reputer",
      "-1",
      "1".repeat(21),
    ]) {
      expect(topicIdOf(value)).toBeUndefined();
    }
  });
});

describe("BoundedSet", () => {
  it("adds a key once and forgets the oldest beyond its size", () => {
    const set = new BoundedSet(2);
    expect(set.addFirst("a")).toBe(true);
    expect(set.addFirst("a")).toBe(false);
    set.addFirst("b");
    set.addFirst("c");
    expect(set.size).toBe(2);
    expect(set.has("a")).toBe(false);
    expect(set.addFirst("a")).toBe(true);
  });
});
