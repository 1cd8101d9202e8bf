import { useState } from 'react';
import { download, type ExportTable, toCsv, toJson } from './export.js';

/**
 * "Export CSV" and "Export JSON" of what the page's filters show. `load` reads every row those
 * filters select (all pages, not only the one on screen) when a button is pressed.
 */
export function ExportButtons({ name, load, label }: { name: string; load: () => Promise<ExportTable>; label: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (format: 'csv' | 'json') => {
    setBusy(true);
    setError(null);
    try {
      const table = await load();
      if (format === 'csv') download(`${name}.csv`, toCsv(table), 'text/csv;charset=utf-8');
      else download(`${name}.json`, toJson(table), 'application/json');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="export-buttons" role="group" aria-label={label}>
      <button type="button" className="button" disabled={busy} onClick={() => void save('csv')} data-testid={`${name}-export-csv`}>
        Export CSV
      </button>
      <button type="button" className="button" disabled={busy} onClick={() => void save('json')} data-testid={`${name}-export-json`}>
        Export JSON
      </button>
      {error && (
        <span className="inline-error" role="alert">
          The export failed: {error}
        </span>
      )}
    </span>
  );
}
