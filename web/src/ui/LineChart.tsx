import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, type LineSeries } from './chart-data.js';
import { formatDay } from './format.js';

const HEIGHT = 240;

/** A color from the stylesheet, so that the chart and the badges agree. */
function cssColor(property: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(property).trim() || '#555';
}

function showLatestWhenIdle(chart: uPlot, days: number): void {
  if (days > 0 && (chart.cursor.idx === null || chart.cursor.idx === undefined)) chart.setLegend({ idx: days - 1 });
}

/**
 * Values per day as lines, drawn with uPlot. The chart is hidden from screen readers: every page
 * that shows one also has its numbers in a table.
 */
export function LineChart({
  dates,
  series,
  yLabel,
  yRange,
  format = String,
  testId,
}: {
  dates: string[];
  series: LineSeries[];
  yLabel: string;
  /** A fixed value axis (0 to 100 for percentages); by default it fits the values. */
  yRange?: [number, number];
  /** How the legend shows a value; a function defined once, not on each render. */
  format?: (value: number) => string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  // Callers build their series anew on every render; the chart is drawn again only when this text
  // of what it draws changes. `format` is a module-level function, the same on every render.
  const drawn = JSON.stringify({ dates, series, yLabel, yRange });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { dates, series, yLabel, yRange } = JSON.parse(drawn) as { dates: string[]; series: LineSeries[]; yLabel: string; yRange?: [number, number] };
    const width = () => Math.max(280, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        series: [
          { label: 'Day', value: (_u, v) => (v === null ? '—' : formatDay(new Date(v * 1000).toISOString().slice(0, 10))) },
          ...series.map((s) => ({ label: s.label, stroke: cssColor(s.color), width: 2, dash: s.dash, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)) })),
        ],
        axes: [{}, { label: yLabel, size: 56 }],
        scales: { x: { time: true }, ...(yRange ? { y: { range: yRange } } : {}) },
        cursor: { drag: { x: false, y: false } },
        // Off the chart, the legend shows the latest day's values rather than dashes.
        hooks: { setCursor: [(u) => showLatestWhenIdle(u, dates.length)] },
      },
      chartColumns(dates, series) as uPlot.AlignedData,
      element,
    );
    showLatestWhenIdle(chart, dates.length);
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [drawn, format]);

  return <div ref={box} className="trend-chart" aria-hidden="true" data-testid={testId} />;
}
