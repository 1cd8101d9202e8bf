import { useEffect, useRef, useState } from 'react';

/** A search box that applies what is typed after a short pause, and follows the URL when it changes (Back). */
export function SearchBox({ value, onSearch, label, placeholder }: { value: string; onSearch: (text: string) => void; label: string; placeholder: string }) {
  const [text, setText] = useState(value);
  const applied = useRef(value);

  useEffect(() => {
    if (value !== applied.current) {
      applied.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    if (text.trim() === applied.current) return;
    const timer = window.setTimeout(() => {
      applied.current = text.trim();
      onSearch(text.trim());
    }, 250);
    return () => window.clearTimeout(timer);
  }, [text, onSearch]);

  return (
    <input
      type="search"
      className="search-box"
      aria-label={label}
      placeholder={placeholder}
      value={text}
      onChange={(event) => setText(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && text.trim() !== applied.current) {
          applied.current = text.trim();
          onSearch(text.trim());
        }
      }}
    />
  );
}
