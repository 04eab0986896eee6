/**
 * Line charts on uPlot: sized to their container, colored from the page's CSS variables (rebuilt when the color
 * scheme changes), and marked with how many points each series has (`data-points`), which is what a person sees
 * as dots on the chart and what the browser test reads.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One line of a chart. */
export interface SeriesSpec {
  label: string;
  color: string;
  /** Dashed line (EMA, network inference). */
  dash?: boolean;
  width?: number;
  /** Points only, no line between them. */
  pointsOnly?: boolean;
}

/** Aligned data: x values (unix seconds), then one array per series. */
export type ChartData = [number[], ...Array<Array<number | null>>];

/**
 * Breaks the lines where time jumps (the network was stopped and started again on the same chain): a row of nulls
 * wherever a step is over five times the usual one. Lines also break where a series has no value.
 */
function withGaps(data: ChartData): ChartData {
  const [xs, ...ys] = data;
  if (xs.length < 3) return data;
  const steps = xs
    .slice(1)
    .map((x, i) => x - (xs[i] as number))
    .sort((a, b) => a - b);
  const usual = steps[Math.floor(steps.length / 2)] as number;
  const out: ChartData = [[], ...ys.map(() => [])];
  xs.forEach((x, i) => {
    const prev = xs[i - 1];
    if (prev !== undefined && usual > 0 && x - prev > 5 * usual) {
      out[0].push((prev + x) / 2);
      for (let s = 0; s < ys.length; s++) (out[s + 1] as Array<number | null>).push(null);
    }
    out[0].push(x);
    for (let s = 0; s < ys.length; s++)
      (out[s + 1] as Array<number | null>).push((ys[s] as Array<number | null>)[i] ?? null);
  });
  return out;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export interface LineChart {
  update(series: readonly SeriesSpec[], data: ChartData): void;
}

export function createLineChart(
  figure: HTMLElement,
  options: { yLabel: string; format: (v: number) => string; tick?: (v: number) => string; height?: number },
): LineChart {
  const height = options.height ?? 240;
  let plot: uPlot | undefined;
  let seriesKey = "";
  let last: { series: readonly SeriesSpec[]; data: ChartData } | undefined;
  const holder = document.createElement("div");
  const empty = document.createElement("div");
  empty.className = "empty";
  empty.textContent = "waiting for the first rounds…";
  figure.append(holder, empty);

  const build = (series: readonly SeriesSpec[], data: ChartData) => {
    plot?.destroy();
    const axis = { stroke: cssVar("--muted"), grid: { stroke: cssVar("--grid"), width: 1 }, ticks: { show: false } };
    plot = new uPlot(
      {
        width: Math.max(200, holder.clientWidth || figure.clientWidth),
        height,
        cursor: { drag: { x: false, y: false }, points: { size: 6 } },
        legend: { live: true },
        scales: { x: { time: true } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString("en-GB")) },
          {
            ...axis,
            label: options.yLabel,
            size: 70,
            values: (_u, ticks) => ticks.map(options.tick ?? options.format),
          },
        ],
        series: [
          { label: "time", value: (_u, v) => (v === null ? "–" : new Date(v * 1000).toLocaleTimeString("en-GB")) },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.width ?? 1.5,
            ...(s.dash ? { dash: [6, 4] } : {}),
            ...(s.pointsOnly ? { paths: () => null } : {}),
            points: { show: true, size: s.pointsOnly ? 6 : 4, fill: s.color },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? "–" : options.format(v)),
          })),
        ],
      },
      data as uPlot.AlignedData,
      holder,
    );
    seriesKey = JSON.stringify(series);
  };

  const mark = (series: readonly SeriesSpec[], data: ChartData) => {
    const points: Record<string, number> = {};
    series.forEach((s, i) => {
      points[s.label] = (data[i + 1] ?? []).filter((v) => v !== null && Number.isFinite(v)).length;
    });
    figure.dataset.points = JSON.stringify(points);
    empty.hidden = data[0].length > 0;
    holder.hidden = data[0].length === 0;
  };

  new ResizeObserver(() => {
    const width = Math.max(200, holder.clientWidth || figure.clientWidth);
    if (plot && Math.abs(plot.width - width) > 1) plot.setSize({ width, height });
  }).observe(figure);
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    if (last) build(last.series, last.data);
  });

  return {
    update(series, raw) {
      const data = withGaps(raw);
      last = { series, data };
      mark(series, raw);
      if (data[0].length === 0) return;
      if (!plot || JSON.stringify(series) !== seriesKey) build(series, data);
      else plot.setData(data as uPlot.AlignedData);
    },
  };
}
