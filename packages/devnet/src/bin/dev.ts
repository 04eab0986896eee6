#!/usr/bin/env node
/**
 * `pnpm dev`: the whole network on this machine in one command (see ../dev-command.ts). The signal handlers come
 * first, before the heavy modules load, so Ctrl-C from the very first moment stops whatever has started.
 */
import { installSignalHandlers } from "../stop-control.js";

const control = installSignalHandlers();
const { runDev } = await import("../dev-command.js");
process.exitCode = await runDev(control);
process.exit(process.exitCode);
