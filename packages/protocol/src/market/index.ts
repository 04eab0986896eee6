export * from "./price-series.js";
