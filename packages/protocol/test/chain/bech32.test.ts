/**
 * The library's own bech32 agrees with cosmjs's on every address it writes and reads, and refuses what BIP 173
 * refuses, whatever @scure/base the project installs (cosmjs's fromBech32 throws RangeError with 2.4).
 */
import { toBech32 } from "@cosmjs/encoding";
import { describe, expect, it } from "vitest";
import { decodeBech32, deriveChainAccount, encodeBech32, isAlloraError } from "../../src/index.js";
import { seededBytes } from "../support/seeded-bytes.js";

describe("bech32", () => {
  it("writes what cosmjs writes and reads it back, for 20- and 32-byte payloads", () => {
    const bytesOf = seededBytes(11);
    for (let i = 0; i < 200; i++) {
      const data = bytesOf(i % 2 === 0 ? 20 : 32);
      const address = encodeBech32("allo", data);
      expect(address).toBe(toBech32("allo", data));
      expect(decodeBech32(address, { prefix: "allo" })).toEqual({ prefix: "allo", data });
    }
  });

  it("reads the library's own account addresses and upper-case ones", async () => {
    const account = await deriveChainAccount(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    );
    expect(decodeBech32(account.address).data.byteLength).toBe(20);
    expect(decodeBech32(account.address.toUpperCase()).prefix).toBe("allo");
  });

  it("refuses a flipped character, mixed case, a long string and another prefix, saying why", () => {
    const good = "allo19rl4cm2hmr8afy4kldpxz3fka4jguq0ajnh7gv";
    const cases: Array<[string, RegExp, number?]> = [
      [`${good.slice(0, -1)}w`, /checksum/],
      [`A${good.slice(1)}`, /mixes upper and lower case/],
      [good, /longer than 20/, 20],
      ["allo1b", /no prefix, separator/],
      [good.replace("9rl", "9ri"), /not a bech32 character/],
    ];
    for (const [value, why, limit] of cases) {
      let err: unknown;
      try {
        decodeBech32(value, limit === undefined ? {} : { limit });
      } catch (e) {
        err = e;
      }
      expect(isAlloraError(err, "ADDRESS_INVALID"), value).toBe(true);
      expect((err as Error).message).toMatch(why);
    }
    expect(() => decodeBech32(good, { prefix: "cosmos" })).toThrow(/expected "cosmos"/);
  });
});
