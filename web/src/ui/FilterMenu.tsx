import { useId, useRef, useState } from 'react';
import { useClosingDisclosure } from './disclosure.js';
import { formatCount } from './format.js';

export interface FilterOption {
  value: string;
  label: string;
  count?: number;
}

/** Past this many options a menu gets a box to narrow them down (owners, tags in a large catalog). */
const NARROW_FROM = 12;

/**
 * A filter with several values: a button that says how many are chosen, opening a list of
 * checkboxes. Built on <details>, so it opens and closes with the keyboard as any disclosure does.
 */
export function FilterMenu({ label, options, selected, onChange }: { label: string; options: FilterOption[]; selected: string[]; onChange: (values: string[]) => void }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const [narrow, setNarrow] = useState('');
  const id = useId();

  useClosingDisclosure(menu);

  const toggle = (value: string, on: boolean) => onChange(on ? [...selected, value] : selected.filter((v) => v !== value));
  // Values in the URL that the facets do not list (yet) stay visible, so they can be unticked.
  const known = new Set(options.map((o) => o.value));
  const all: FilterOption[] = [...options, ...selected.filter((v) => !known.has(v)).map((v) => ({ value: v, label: v }))];
  const needle = narrow.trim().toLowerCase();
  const shown = needle ? all.filter((o) => o.label.toLowerCase().includes(needle) || selected.includes(o.value)) : all;

  return (
    <details ref={menu} className={`filter-menu${selected.length > 0 ? ' is-active' : ''}`}>
      <summary>
        {label}
        {selected.length > 0 && <span className="filter-count">{selected.length}</span>}
        <span className="visually-hidden">{selected.length > 0 ? `, ${selected.length} selected` : ', any'}</span>
      </summary>
      <div className="filter-popover">
        <fieldset>
          <legend className="visually-hidden">{label}</legend>
          {all.length > NARROW_FROM && (
            <input type="search" className="filter-narrow" placeholder={`Find ${label.toLowerCase()}…`} aria-label={`Find ${label.toLowerCase()}`} value={narrow} onChange={(e) => setNarrow(e.target.value)} />
          )}
          {all.length === 0 && <p className="muted">No values.</p>}
          <div className="filter-options">
            {shown.map((option, index) => (
              <label key={option.value} className="filter-option" htmlFor={`${id}-${index}`}>
                <input id={`${id}-${index}`} type="checkbox" checked={selected.includes(option.value)} onChange={(e) => toggle(option.value, e.target.checked)} />
                <span className="filter-option-label">{option.label}</span>
                {option.count !== undefined && (
                  <span className="filter-option-count" aria-hidden="true" title={`${formatCount(option.count)} entities`}>
                    {formatCount(option.count)}
                  </span>
                )}
              </label>
            ))}
          </div>
          {selected.length > 0 && (
            <button type="button" className="link-button" onClick={() => onChange([])}>
              Clear {label.toLowerCase()}
            </button>
          )}
        </fieldset>
      </div>
    </details>
  );
}
