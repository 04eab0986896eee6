export { dashboardConfig } from "./config.js";
export { type DashboardConfig, type DashboardNode, startDashboardNode } from "./node.js";
