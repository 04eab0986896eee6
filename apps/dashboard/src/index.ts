export { type DashboardConfig, dashboardConfig } from "./config.js";
export { createDashboardNode, type DashboardNode } from "./node.js";
