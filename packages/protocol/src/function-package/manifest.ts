/**
 * The manifest every function package carries as `manifest.json`.
 */
import { type Static, Type } from "@sinclair/typebox";

/**
 * `manifest.json`: what the package is and how a worker runs it.
 *
 * - `kind: "runner"`: the package is the shared runner; the worker runs `entry` and passes it the path of its own
 *   `main.py` in `ALLORA_MAIN_PY` (the guide's function + extension, in one package).
 * - `kind: "generic"`: the package's `entry` is the whole logic.
 */
export const FunctionManifest = Type.Object(
  {
    name: Type.String({ pattern: "^[a-z0-9][a-z0-9._-]{0,63}$" }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    kind: Type.Union([Type.Literal("runner"), Type.Literal("generic")]),
    entry: Type.String({ minLength: 1, maxLength: 255, description: "path of the program inside the package" }),
    interpreter: Type.Union([Type.Literal("python3"), Type.Literal("node"), Type.Literal("sh")], {
      description: "how the worker starts `entry`",
    }),
    methods: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      minItems: 1,
      maxItems: 32,
      description: "method names an execute request may name to run this package",
    }),
  },
  { additionalProperties: false },
);
/** `manifest.json` of a function package. */
export type FunctionManifest = Static<typeof FunctionManifest>;

/** The file name of the manifest inside a package. */
export const MANIFEST_FILE = "manifest.json";
