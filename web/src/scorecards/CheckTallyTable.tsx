import type { CheckStatus, CheckTally } from '../api/types.js';
import { Link } from '../routing/router.js';
import { CHECK_STATUS_LABEL, CheckStatusIcon, RateBar } from '../ui/CheckStatus.js';
import { formatCount } from '../ui/format.js';

const STATUSES: CheckStatus[] = ['pass', 'fail', 'unknown'];

type Row = { id: string; name: string; weight: number } & CheckTally;

/**
 * Each check of a scorecard over a set of entities: its pass rate and how many passed, failed or
 * are unknown. With `hrefFor`, each count links to the entities with that result.
 */
export function CheckTallyTable({ checks, caption, hrefFor, testId }: { checks: Row[]; caption: string; hrefFor?: (check: string, status: CheckStatus) => string; testId: string }) {
  return (
    <div className="table-scroll">
      <table className="compact-table" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" title="Passed ÷ (passed + failed): unknown results are left out">
              Pass rate
            </th>
            {STATUSES.map((s) => (
              <th key={s} scope="col" className="num">
                <span className="sev-header">
                  <CheckStatusIcon status={s} />
                  {CHECK_STATUS_LABEL[s]}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {checks.map((check) => (
            <tr key={check.id} data-check={check.id}>
              <th scope="row">{check.name}</th>
              <td className="num">{formatCount(check.weight)}</td>
              <td data-testid="check-pass-rate">
                <RateBar value={check.passRate} none="—" hint="No entity's result on this check was decided." />
              </td>
              {STATUSES.map((s) => (
                <td key={s} className="num">
                  {hrefFor && check[s] > 0 ? (
                    <Link href={hrefFor(check.id, s)} aria-label={`${formatCount(check[s])} ${CHECK_STATUS_LABEL[s].toLowerCase()}: show these entities`}>
                      {formatCount(check[s])}
                    </Link>
                  ) : (
                    formatCount(check[s])
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
