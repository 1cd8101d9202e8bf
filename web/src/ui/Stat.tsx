import type { ReactNode } from 'react';

/** One figure of a `<dl className="stats">`: its label, its value, and what it means on hover. */
export function Stat({ label, value, testId, hint, wide }: { label: string; value: ReactNode; testId: string; hint?: string; wide?: boolean }) {
  return (
    <div className={wide ? 'stat stat-wide' : 'stat'}>
      <dt>{label}</dt>
      <dd data-testid={testId} title={hint}>
        {value}
      </dd>
    </div>
  );
}
