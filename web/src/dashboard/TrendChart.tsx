import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SEVERITIES, type Trend } from '../api/types.js';
import { SEVERITY_LABEL } from '../ui/Severity.js';
import { TREND_DASH, trendColumns } from './trend-data.js';

/** Severity colors, read from the stylesheet so that the chart and the badges agree. */
function severityColor(severity: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(`--sev-${severity}`).trim() || '#555';
}

/** Open issues per severity per day, drawn with uPlot; the numbers are also in a table beside it. */
export function TrendChart({ trend }: { trend: Trend }) {
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 240,
        series: [
          { label: 'Day', value: (_u, v) => (v === null ? '—' : new Date(v * 1000).toISOString().slice(0, 10)) },
          ...SEVERITIES.map((s) => ({ label: SEVERITY_LABEL[s], stroke: severityColor(s), width: 2, dash: TREND_DASH[s], points: { show: false } })),
        ],
        axes: [{}, { label: 'Open issues', size: 56 }],
        scales: { x: { time: true } },
        cursor: { drag: { x: false, y: false } },
      },
      trendColumns(trend),
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [trend]);

  return <div ref={box} className="trend-chart" aria-hidden="true" data-testid="trend-chart" />;
}
