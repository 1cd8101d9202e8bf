import { Fragment } from 'react';

/** Long identifiers and paths (`java.lang.security.audit.sqli`, `registry.acme.io/payments`) wrap after their separators rather than mid-word. */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=[./:_-])/);
  return (
    <>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
