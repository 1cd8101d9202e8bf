import { useEffect } from 'react';
import type { ScorecardList, ScorecardProblem } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { scorecardHref } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { ScoreValue } from '../ui/CheckStatus.js';
import { formatCount } from '../ui/format.js';
import { Stat } from '../ui/Stat.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { CheckTallyTable } from './CheckTallyTable.js';
import { ORIGIN_LABEL } from './origin.js';

type Item = ScorecardList['items'][number];

function ScorecardCard({ scorecard }: { scorecard: Item }) {
  const titleId = `scorecard-${scorecard.id}-title`;
  return (
    <section className="card scorecard-card" aria-labelledby={titleId} data-testid="scorecard-card" data-scorecard={scorecard.id}>
      <div className="card-header">
        <h2 id={titleId}>
          <Link href={scorecardHref(scorecard.id)}>{scorecard.name}</Link>
        </h2>
        <span className="origin-tag">{ORIGIN_LABEL[scorecard.origin]}</span>
      </div>
      {scorecard.description && <p className="muted">{scorecard.description}</p>}
      <dl className="stats">
        <Stat
          label="Pass rate"
          value={<ScoreValue value={scorecard.passRate} none="—" hint="No entity has a score on this scorecard yet." />}
          testId="scorecard-pass-rate"
          hint="Entities that failed no check, of those with a score"
        />
        <Stat label="Average score" value={<ScoreValue value={scorecard.averageScore} none="—" hint="No entity has a score on this scorecard yet." />} testId="scorecard-average" />
        <Stat label="Entities" value={formatCount(scorecard.entities)} testId="scorecard-entities" hint="Entities the scorecard applies to" />
        <Stat label="Passing" value={`${formatCount(scorecard.passing)} of ${formatCount(scorecard.scored)}`} testId="scorecard-passing" hint="Entities that failed no check, of those with a score" />
      </dl>
      <CheckTallyTable checks={scorecard.checks} caption={`Checks of ${scorecard.name}, over every entity it applies to`} testId="scorecard-checks" />
    </section>
  );
}

function Problems({ problems }: { problems: ScorecardProblem[] }) {
  return (
    <section className="card" aria-labelledby="scorecard-problems-title" data-testid="scorecard-problems">
      <h2 id="scorecard-problems-title">Problems in the scorecard files</h2>
      <p className="muted">The scorecards they concern are left out or incomplete until their files are fixed; the others are evaluated as usual.</p>
      <ul className="plain-list problems">
        {problems.map((p, i) => (
          <li key={i} className={`problem problem-${p.level}`}>
            <span className="problem-level">{p.level}</span> <span className="mono">{[p.file, p.line, p.column].filter((x) => x !== undefined).join(':')}</span> {p.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Every scorecard with its pass rate, average score, entities and each check's pass rate. */
export default function ScorecardsPage() {
  const list = useResource<ScorecardList>('/api/scorecards');

  useEffect(() => {
    document.title = 'Scorecards · Lantern';
  }, []);

  const data = list.data;
  return (
    <div className="page">
      <div className="page-header">
        <h1>Scorecards</h1>
        {data && <p className="page-subtitle">{data.items.length === 1 ? '1 scorecard' : `${formatCount(data.items.length)} scorecards`}</p>}
      </div>
      {list.status === 'error' && <ErrorState error={list.error as Error} what="the scorecards" onRetry={list.reload} />}
      {list.status === 'loading' && <Loading what="the scorecards" />}
      {data && data.problems.length > 0 && <Problems problems={data.problems} />}
      {data &&
        (data.items.length === 0 ? (
          <EmptyState title="No scorecards.">
            <p>
              Lantern ships the Security baseline unless the server was started with <code>--no-default-scorecard</code>. Write scorecards in YAML files and start the server with{' '}
              <code>lantern serve --scorecards ./scorecards</code>, or define one with <code>POST /api/scorecards</code>.
            </p>
          </EmptyState>
        ) : (
          <div className="scorecard-grid">
            {data.items.map((scorecard) => (
              <ScorecardCard key={scorecard.id} scorecard={scorecard} />
            ))}
          </div>
        ))}
    </div>
  );
}
