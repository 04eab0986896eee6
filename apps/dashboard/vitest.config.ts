import { withSharedConfig } from "../../vitest.shared.mjs";

export default withSharedConfig();
