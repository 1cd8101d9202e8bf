import type { CheckResult, EntityScorecard, EntityScorecards } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { type EntityName, scorecardHref } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { ruleText, strategyText } from '../scorecards/rule-text.js';
import { CheckStatusBadge, RuleStatusMark, ScoreValue } from '../ui/CheckStatus.js';
import { formatCount, formatDateTime, formatRelative } from '../ui/format.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { entityScorecardsPath } from './entity-paths.js';

/*
 * Scorecard names, descriptions and messages come from YAML files anyone may have written: they
 * are only ever React text here, so markup in them shows as the characters it is.
 */

function CheckRow({ check }: { check: CheckResult }) {
  const strategy = strategyText(check.strategy, check.rules.length);
  return (
    <tr data-check={check.id} data-status={check.status}>
      <td className="col-status">
        <CheckStatusBadge status={check.status} noData={check.noData} />
      </td>
      <th scope="row" className="check-cell">
        <span className="check-name">{check.name}</span>
        {check.description && <span className="cell-sub">{check.description}</span>}
        <span className={`check-message check-message-${check.status}`} data-testid="check-message">
          {check.message}
        </span>
      </th>
      <td className="rules-cell">
        {strategy && <span className="cell-sub">{strategy}</span>}
        <ul className="plain-list rule-list">
          {check.rules.map((rule, i) => (
            <li key={i} data-rule-status={rule.status}>
              <RuleStatusMark status={rule.status} />
              <span className="mono">{ruleText(rule)}</span>
            </li>
          ))}
        </ul>
      </td>
      <td className="num">{formatCount(check.weight)}</td>
    </tr>
  );
}

function ScorecardResult({ scorecard }: { scorecard: EntityScorecard }) {
  const titleId = `scorecard-${scorecard.id}-title`;
  return (
    <section className="card scorecard-result" aria-labelledby={titleId} data-testid="entity-scorecard" data-scorecard={scorecard.id}>
      <div className="scorecard-head">
        <div className="scorecard-about">
          <h3 id={titleId}>{scorecard.name}</h3>
          {scorecard.description && <p className="muted">{scorecard.description}</p>}
        </div>
        <div className="scorecard-score">
          <span className="score-label">Score</span>
          <span className="score-big" data-testid="entity-score">
            {scorecard.noData ? (
              <span className="no-score" title={scorecard.summary}>
                No data
              </span>
            ) : (
              <ScoreValue value={scorecard.score} hint="No check could be decided for this entity: unknown checks count neither way." />
            )}
          </span>
          <span className="muted">
            {formatCount(scorecard.passed)} passed · {formatCount(scorecard.failed)} failed · {formatCount(scorecard.unknown)} unknown
          </span>
        </div>
      </div>
      {scorecard.score === null && (
        <p className="muted" data-testid="scorecard-summary">
          {scorecard.summary}
        </p>
      )}
      <div className="table-scroll">
        <table className="compact-table check-results" data-testid="check-results">
          <caption className="visually-hidden">Checks of this scorecard for this entity, with what was observed</caption>
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Check</th>
              <th scope="col">Observed against the threshold</th>
              <th scope="col" className="num">
                Weight
              </th>
            </tr>
          </thead>
          <tbody>
            {scorecard.checks.map((check) => (
              <CheckRow key={check.id} check={check} />
            ))}
          </tbody>
        </table>
      </div>
      <p className="scorecard-foot muted">
        Result last changed{' '}
        <time dateTime={scorecard.updatedAt} title={formatDateTime(scorecard.updatedAt)}>
          {formatRelative(scorecard.updatedAt)}
        </time>
        . <Link href={scorecardHref(scorecard.id)}>Every entity on this scorecard ›</Link>
      </p>
    </section>
  );
}

/** Each scorecard that applies to the entity, or why there is none. */
export function EntityScorecardList({ scorecards }: { scorecards: EntityScorecard[] }) {
  if (scorecards.length === 0) {
    return (
      <EmptyState title="No scorecard applies to this entity.">
        <p>
          Each scorecard picks its entities by kind, type, lifecycle, owner or tags, and none of them picks this one. The <Link href="/scorecards">Scorecards page</Link> lists
          every scorecard and the entities it covers.
        </p>
      </EmptyState>
    );
  }
  return (
    <>
      {scorecards.map((scorecard) => (
        <ScorecardResult key={scorecard.id} scorecard={scorecard} />
      ))}
    </>
  );
}

/** The entity's Scorecards tab: each scorecard that applies to it, its score, and every check with what was observed. */
export function ScorecardsTab({ name }: { name: EntityName }) {
  const result = useResource<EntityScorecards>(entityScorecardsPath(name));
  return (
    <section className="entity-scorecards" aria-labelledby="scorecards-title">
      <h2 id="scorecards-title" className="visually-hidden">
        Scorecards
      </h2>
      {result.status === 'error' && <ErrorState error={result.error as Error} what="the scorecards" onRetry={result.reload} />}
      {result.status === 'loading' && <Loading what="the scorecards" />}
      {result.data && <EntityScorecardList scorecards={result.data.scorecards} />}
    </section>
  );
}
