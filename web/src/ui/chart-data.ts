/** What a line chart draws, as plain data: days along x, one series of values per line. */

export interface LineSeries {
  label: string;
  /** The stylesheet's custom property holding the line's color (`--sev-critical`), so that the chart and the page agree. */
  color: string;
  /** The line's dash pattern: lines differ by more than their color. */
  dash: number[];
  /** One value per day; null for a day without one (drawn as a gap, not as 0). */
  values: Array<number | null>;
}

/** Each day (`2026-11-20`) at noon UTC in seconds since the epoch, as uPlot reads time. */
export function dayColumn(dates: readonly string[]): number[] {
  return dates.map((date) => Date.parse(`${date}T12:00:00Z`) / 1000);
}

/** uPlot's aligned columns: the days, then one column per series. */
export function chartColumns(dates: readonly string[], series: readonly LineSeries[]): [number[], ...Array<Array<number | null>>] {
  return [dayColumn(dates), ...series.map((s) => s.values)];
}
