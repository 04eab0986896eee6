import { AlloraError, silentLogger } from "@allora/protocol";
import { describe, expect, it } from "vitest";
import { admissibleBundles, createRegistrationCheck } from "../../src/chain/bundle-admission.js";

describe("bundle admission", () => {
  it("asks the chain once a minute for a registered worker, and lets a bundle through when the chain cannot say", async () => {
    const asked: string[] = [];
    let answer: boolean | Error = true;
    const check = createRegistrationCheck({
      isRegistered: async (topic, worker) => {
        asked.push(`${topic}/${worker}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    expect(await check(1n, "w1")).toBe(true);
    expect(await check(1n, "w1")).toBe(true);
    answer = false;
    expect(await check(1n, "w2")).toBe(false);
    expect(await check(1n, "w2")).toBe(false);
    answer = new AlloraError("CHAIN_UNREACHABLE", "down");
    expect(await check(2n, "w3")).toBe(true);
    expect(asked).toEqual(["1/w1", "1/w2", "1/w2", "2/w3"]);
    expect(await createRegistrationCheck(undefined)(1n, "any")).toBe(true);
  });

  it("drops a bundle that does not decode or verify", async () => {
    const round = { topicId: 1n, nonce: 5n, bundles: [{ peer: "p", bundle: Buffer.from("junk").toString("base64") }] };
    expect(await admissibleBundles(round, async () => true, silentLogger)).toEqual([]);
  });
});
