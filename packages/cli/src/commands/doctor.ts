/**
 * `allocmd doctor`: checks everything `run`, `test` and the worker container depend on, and says what to fix.
 */
import { type Command, jsonFlag, NETWORK_FLAGS } from "../command.js";

export const doctorCommand: Command = {
  name: "doctor",
  summary: "check Node, Python, Docker, images, ports, keys and versions, and say what to fix",
  usage: "doctor [--head <url>] [--json]",
  details: [
    "Checks: Node (20.19+ or 22) and python3, which allocmd test and allocmd run --native need; for the Docker",
    "mode, the Docker engine and compose (v1 or v2; warnings only, --native runs without them) and the allora/*",
    "images of config.yaml's version; the ports the dev network uses; the key folder and mnemonic (present, loadable,",
    "readable by their owner only, owned by the user the container runs as); no secret in config.yaml, the compose",
    "files or git; and that the head it talks to runs the same version. Exit code 0 when nothing failed (warnings",
    "allowed), 1 otherwise.",
  ].join("\n"),
  flags: {
    ...NETWORK_FLAGS,
    ...jsonFlag("print the findings as JSON"),
  },
  examples: ["allocmd doctor", "allocmd doctor --head http://127.0.0.1:6000", "allocmd doctor --json"],
  run: (ctx) => import("../actions/doctor.js").then((action) => action.runDoctorCommand(ctx)),
};
