import * as React from 'react';

import { errorMessage } from '../../api';
import type { IProjectIndex } from '../../api/communityTypes';
import { NavLink, ProjectLink } from '../explore/common';
import { useCommunity } from '../explore/context';
import { useAsync } from '../project/useAsync';
import { ErrorLine, Loading } from '../status';
import { IndexHistoryChart, IndexRadarChart } from './charts';
import { formatIndex } from './formatIndex';

/** Each dimension and signal: weight, raw value, normalised, contribution. */
function ContributionTable(props: { index: IProjectIndex }): JSX.Element {
  const { index } = props;
  const { trans } = useCommunity();
  const name = (item: { name_en: string; name_zh: string }) =>
    trans.isChinese ? item.name_zh : item.name_en;
  return (
    <table
      className="openi-Table openi-ContributionTable"
      data-testid="openi-index-contributions"
    >
      <thead>
        <tr>
          <th>{trans.__('Dimension / signal')}</th>
          <th>{trans.__('Weight')}</th>
          <th>{trans.__('Value')}</th>
          <th>{trans.__('Normalised (0–100)')}</th>
          <th>{trans.__('Contribution')}</th>
        </tr>
      </thead>
      <tbody>
        {index.dimensions.map(dimension => (
          <React.Fragment key={dimension.key}>
            <tr className="openi-ContributionTable-dimension">
              <td>{name(dimension)}</td>
              <td>{dimension.weight}</td>
              <td />
              <td>{dimension.score.toFixed(1)}</td>
              <td>{dimension.contribution.toFixed(2)}</td>
            </tr>
            {dimension.signals.map(signal => (
              <tr key={signal.key} className="openi-ContributionTable-signal">
                <td>{name(signal)}</td>
                <td>{signal.weight}</td>
                <td>{Number(signal.raw.toFixed(2))}</td>
                <td>
                  <span className="openi-Meter">
                    <span
                      className="openi-Meter-bar"
                      style={{
                        width: `${Math.max(0, Math.min(100, signal.normalised))}%`
                      }}
                    />
                  </span>
                  {signal.normalised.toFixed(1)}
                </td>
                <td>{signal.contribution.toFixed(2)}</td>
              </tr>
            ))}
          </React.Fragment>
        ))}
      </tbody>
    </table>
  );
}

/**
 * One project's OpenI index: the score and rank, a radar of the six
 * dimensions, why (each signal's contribution) and how it moved (history).
 */
export function ProjectIndexView(props: { project: string }): JSX.Element {
  const { project } = props;
  const { community, trans } = useCommunity();
  const state = useAsync(() => community.projectIndex(project), project);
  const top = React.useRef<HTMLDivElement>(null);
  const loaded = state.data !== undefined;
  // Picked in the ranking or from the sidebar: bring it into view.
  React.useEffect(() => {
    if (loaded) {
      top.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    }
  }, [loaded, project]);
  if (state.error !== undefined) {
    return (
      <ErrorLine
        trans={trans}
        message={errorMessage(state.error)}
        onRetry={state.reload}
      />
    );
  }
  const index = state.data;
  if (!index) {
    return <Loading trans={trans} />;
  }
  return (
    <div
      ref={top}
      className="openi-ProjectIndex"
      data-testid="openi-project-index-view"
    >
      <h2 className="openi-Dashboard-heading">
        <ProjectLink fullName={index.project} />
        <span
          className="openi-ProjectIndex-score"
          data-testid="openi-project-index-score"
        >
          {trans.__('OpenI index %1', formatIndex(index.index))}
        </span>
        <span className="openi-ListItem-subtitle">
          {trans.__('Rank %1 of %2', index.rank, index.total_projects)}
        </span>
        <NavLink
          testid="openi-project-activity-link"
          onOpen={nav => nav.openProjectCommunity(index.project)}
        >
          {trans.__('Activity and forks')}
        </NavLink>
      </h2>
      <div className="openi-Dashboard-grid">
        <div className="openi-Card">
          <h3 className="openi-Card-title">{trans.__('Dimensions')}</h3>
          <IndexRadarChart index={index} trans={trans} />
        </div>
        <div className="openi-Card">
          <h3 className="openi-Card-title">{trans.__('Index history')}</h3>
          {index.history.length > 0 ? (
            <IndexHistoryChart index={index} trans={trans} />
          ) : (
            <div className="openi-SubSection-empty">
              {trans.__('No history yet.')}
            </div>
          )}
        </div>
      </div>
      <div className="openi-Card">
        <h3 className="openi-Card-title">
          {trans.__('Why the index is what it is')}
        </h3>
        <ContributionTable index={index} />
        <div className="openi-ListItem-meta">
          {trans.__('Computed %1', trans.relativeTime(index.computed_at))}
        </div>
      </div>
    </div>
  );
}
