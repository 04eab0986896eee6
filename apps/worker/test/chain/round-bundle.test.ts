/**
 * Whether a run earns a signed bundle for its chain round, and the coded reason when it does not.
 */
import { AlloraError, type MsgExecute } from "@allora/protocol";
import { describe, expect, it, vi } from "vitest";
import { makeRoundBundle, type RoundBundleInput } from "../../src/chain/round-bundle.js";

const round = { topic_id: "1", block_height: "42" };
const message = {
  type: "MsgExecute",
  request_id: "req-1",
  function_id: "bafy-fn",
  method: "allora-inference-function.wasm",
  topic: "allora-topic-1-worker",
  parameters: [],
  env_vars: [],
  timestamp: "0",
  chain_round: round,
} satisfies MsgExecute;
const ok = {
  output: { stdout: '{"infererValue": "2946.45"}\n', stderr: "", exit_code: 0 },
  usage: { wall_clock_time: 1 },
};

function input(overrides: Partial<RoundBundleInput> = {}): RoundBundleInput {
  return {
    message,
    topicId: 1n,
    own: true,
    result: ok,
    chain: { signBundle: vi.fn(async () => "c2lnbmVk") },
    ...overrides,
  };
}

describe("round bundle", () => {
  it("signs the inference on stdout for the round", async () => {
    const signBundle = vi.fn(async () => "c2lnbmVk");
    expect(await makeRoundBundle(input({ chain: { signBundle } }))).toEqual({ bundle: "c2lnbmVk" });
    expect(signBundle).toHaveBeenCalledWith(round, "2946.45");
  });

  it("signs nothing for a function that is not the topic's own", async () => {
    expect(await makeRoundBundle(input({ own: false }))).toEqual({
      bundle_error: {
        code: "BUNDLE_REFUSED",
        message: "function bafy-fn is not topic 1's own function; nothing is signed for it",
      },
    });
  });

  it("signs nothing for a round of another topic than the roll call's", async () => {
    const result = await makeRoundBundle(input({ topicId: 2n }));
    expect(result.bundle_error?.code).toBe("BUNDLE_REFUSED");
  });

  it("says CHAIN_DISABLED without a chain account", async () => {
    expect((await makeRoundBundle(input({ chain: undefined }))).bundle_error?.code).toBe("CHAIN_DISABLED");
  });

  it("signs nothing for a failed run or an invalid inference", async () => {
    const failed = { ...ok, output: { ...ok.output, exit_code: 1 } };
    expect((await makeRoundBundle(input({ result: failed }))).bundle_error).toEqual({
      code: "INFERENCE_OUTPUT_INVALID",
      message: "the function failed (exit 1); nothing to sign",
    });
    const garbage = { ...ok, output: { ...ok.output, stdout: "hello" } };
    expect((await makeRoundBundle(input({ result: garbage }))).bundle_error?.code).toBe("INFERENCE_OUTPUT_INVALID");
  });

  it("passes on the signer's refusal (a round signed twice)", async () => {
    const signBundle = vi.fn(async () => {
      throw new AlloraError("BUNDLE_ALREADY_SIGNED", "already signed");
    });
    expect((await makeRoundBundle(input({ chain: { signBundle } }))).bundle_error).toEqual({
      code: "BUNDLE_ALREADY_SIGNED",
      message: "already signed",
    });
  });
});
