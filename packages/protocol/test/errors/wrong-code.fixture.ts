// Compiled by test/errors/error-codes.test.ts with the library's own flags: each line below must be a type error.
import { AlloraError, isAlloraError } from "../../src/index.js";

export const typo = new AlloraError("FUNCTION_CID_MISSMATCH", "a typo in a code");
export const lowerCase = new AlloraError("http_timeout", "codes are upper snake case");
export const guarded = (err: unknown) => isAlloraError(err, "P2P_MESAGE_INVALID");
export const anyString = (code: string) => new AlloraError(code, "a string is not a code");
