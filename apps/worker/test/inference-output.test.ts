import { describe, expect, it } from "vitest";
import { parseInferenceOutput } from "../src/chain/inference-output.js";

describe("inference output", () => {
  it("reads the value from the last JSON line", () => {
    expect(parseInferenceOutput('{"infererValue": "2946.45"}\n')).toBe("2946.45");
    expect(parseInferenceOutput('loading model\n{"infererValue": "1"}\n\n')).toBe("1");
    expect(parseInferenceOutput('{"infererValue": 12.5}')).toBe("12.5");
  });

  it.each([
    ["", /printed nothing/],
    ["not json", /not JSON/],
    ["[1]", /"infererValue" must be a decimal/],
    ['{"error": "model down"}', /reported an error: model down/],
    ['{"infererValue": "1e3"}', /decimal string/],
    ['{"value": "1"}', /"infererValue" must be/],
  ])("rejects %j", (stdout, message) => {
    expect(() => parseInferenceOutput(stdout)).toThrow(message);
  });
});
