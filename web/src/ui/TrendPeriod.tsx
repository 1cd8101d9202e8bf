import { TREND_DAYS } from '../routing/search-params.js';

/** The "Period" picker of a trend card: the last 7, 30 or 90 days. */
export function TrendPeriod({ days, onChange }: { days: number; onChange: (days: number) => void }) {
  return (
    <label className="select-filter">
      <span>Period</span>
      <select value={days} onChange={(e) => onChange(Number(e.target.value))}>
        {TREND_DAYS.map((d) => (
          <option key={d} value={d}>
            Last {d} days
          </option>
        ))}
      </select>
    </label>
  );
}
