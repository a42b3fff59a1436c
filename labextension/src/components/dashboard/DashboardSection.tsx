import * as React from 'react';

import type { OpenIClient } from '../../api';
import type { ITrans } from '../../i18n';
import { compactNumber, NavLink } from '../explore/common';
import { useCommunityClient } from '../explore/ExploreHome';
import { communityNavigation } from '../explore/navigation';
import { useRequest } from '../hooks';
import { ErrorLine, Loading } from '../status';
import { formatIndex } from './formatIndex';

const TOP = 5;

/**
 * The sidebar's Dashboard section (数字看板): a few platform totals, the
 * top of the OpenI index ranking, and the button to the full dashboard.
 */
export function DashboardSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const community = useCommunityClient(client);
  const totals = useRequest(() => community.totals(30), generation);
  const ranking = useRequest(
    () => community.indexRanking({ page: 1, per_page: TOP }),
    generation
  );
  return (
    <div
      className="openi-DashboardSection"
      data-testid="openi-dashboard-section"
    >
      <button
        type="button"
        className="openi-Button openi-DashboardSection-open"
        data-testid="openi-open-dashboard"
        onClick={() => communityNavigation()?.openDashboard()}
      >
        {trans.__('Open digital dashboard')}
      </button>
      {totals.error && <ErrorLine trans={trans} message={totals.error} />}
      {!totals.data && !totals.error && <Loading trans={trans} />}
      {totals.data && (
        <div className="openi-MiniTotals">
          {(
            [
              [totals.data.users, 'Users'],
              [totals.data.projects, 'Projects'],
              [totals.data.datasets, 'Datasets'],
              [totals.data.tasks, 'Tasks']
            ] as const
          ).map(([value, label]) => (
            <div key={label} className="openi-MiniTotals-item">
              <span className="openi-MiniTotals-value">
                {compactNumber(value)}
              </span>
              <span className="openi-MiniTotals-label">{trans.__(label)}</span>
            </div>
          ))}
        </div>
      )}
      <div className="openi-SubSection-header">
        <span className="openi-SubSection-title">
          {trans.__('OpenI index ranking')}
        </span>
      </div>
      {ranking.error && <ErrorLine trans={trans} message={ranking.error} />}
      {ranking.data && ranking.data.items.length === 0 && (
        <div className="openi-SubSection-empty">
          {trans.__('The index has not been computed yet.')}
        </div>
      )}
      {ranking.data && ranking.data.items.length > 0 && (
        <ol className="openi-MiniRanking">
          {ranking.data.items.map(row => (
            <li key={row.project} data-testid="openi-mini-rank">
              <span className="openi-MiniRanking-rank">{row.rank}</span>
              <NavLink onOpen={n => n.openDashboard(row.project)}>
                {row.project}
              </NavLink>
              <span className="openi-MiniRanking-index">
                {formatIndex(row.index)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
