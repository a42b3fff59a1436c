import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';

import { errorMessage } from '../../api';
import type { DimensionKey, ITotals } from '../../api/communityTypes';
import { compactNumber, PageButtons } from '../explore/common';
import {
  CommunityWidget,
  type ICommunityEnv,
  useCommunity
} from '../explore/context';
import { FilterInput } from '../explore/ExploreProjects';
import { useAsync } from '../project/useAsync';
import { EmptyState, ErrorLine, Loading } from '../status';
import { ComputeHoursChart, TasksByComputeChart } from './charts';
import { downloadFile } from './download';
import { formatIndex } from './formatIndex';
import { ProjectIndexView } from './ProjectIndexView';

const PER_PAGE = 20;
const DAY_CHOICES = [7, 30, 90] as const;

/** Dimension columns of the ranking (msgids). */
const DIMENSIONS: ReadonlyArray<[DimensionKey, string]> = [
  ['impact', 'Impact'],
  ['completeness', 'Completeness'],
  ['liveness', 'Liveness'],
  ['project_health', 'Project health'],
  ['team_health', 'Team health'],
  ['growth', 'Growth']
];

/** The platform's totals as big numbers. */
function TotalCards(props: { totals: ITotals }): JSX.Element {
  const { totals } = props;
  const { trans } = useCommunity();
  const cards: Array<[string, number | null, string]> = [
    ['users', totals.users, trans.__('Users')],
    ['orgs', totals.orgs, trans.__('Organisations')],
    ['projects', totals.projects, trans.__('Projects')],
    ['datasets', totals.datasets, trans.__('Datasets')],
    ['dataset_files', totals.dataset_files, trans.__('Dataset files')],
    ['models', totals.models, trans.__('Models')],
    ['tasks', totals.tasks, trans.__('Tasks')]
  ];
  return (
    <div className="openi-TotalCards" data-testid="openi-dashboard-totals">
      {cards.map(([key, value, label]) => (
        <div
          key={key}
          className="openi-TotalCard"
          data-testid={`openi-total-${key}`}
        >
          <div className="openi-TotalCard-value">
            {value === null ? '—' : compactNumber(value)}
          </div>
          <div className="openi-TotalCard-label">{label}</div>
        </div>
      ))}
    </div>
  );
}

/** Ranking by the OpenI index; clicking a row shows that project. */
function RankingTable(props: {
  selected: string | undefined;
  onSelect: (project: string) => void;
  generation: number;
}): JSX.Element {
  const { community, trans } = useCommunity();
  const [q, setQ] = React.useState('');
  const [page, setPage] = React.useState(1);
  const state = useAsync(
    () =>
      community.indexRanking({
        q: q || undefined,
        page,
        per_page: PER_PAGE
      }),
    `${q}|${page}|${props.generation}`
  );
  const data = state.data;
  return (
    <div className="openi-Ranking" data-testid="openi-index-ranking">
      <div className="openi-FilterRow">
        <FilterInput
          value={q}
          placeholder={trans.__('Filter projects…')}
          onChange={value => {
            setQ(value);
            setPage(1);
          }}
        />
      </div>
      {state.error !== undefined && (
        <ErrorLine
          trans={trans}
          message={errorMessage(state.error)}
          onRetry={state.reload}
        />
      )}
      {!data && state.error === undefined && <Loading trans={trans} />}
      {data && data.items.length === 0 && (
        <EmptyState
          message={trans.__('The index has not been computed yet.')}
        />
      )}
      {data && data.items.length > 0 && (
        <>
          <table className="openi-Table">
            <thead>
              <tr>
                <th>{trans.__('Rank')}</th>
                <th>{trans.__('Project')}</th>
                <th>{trans.__('OpenI index')}</th>
                {DIMENSIONS.map(([key, label]) => (
                  <th key={key}>{trans.__(label)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.items.map(row => (
                <tr
                  key={row.project}
                  className={`openi-Table-row${row.project === props.selected ? ' openi-mod-selected' : ''}`}
                  data-testid="openi-index-row"
                  tabIndex={0}
                  onClick={() => props.onSelect(row.project)}
                  onKeyDown={event => {
                    if (event.key === 'Enter') {
                      props.onSelect(row.project);
                    }
                  }}
                >
                  <td>{row.rank}</td>
                  <td className="openi-Table-project">{row.project}</td>
                  <td>
                    <strong>{formatIndex(row.index)}</strong>
                  </td>
                  {DIMENSIONS.map(([key]) => (
                    <td key={key}>{row.dimensions[key].toFixed(1)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <PageButtons
            trans={trans}
            page={page}
            perPage={PER_PAGE}
            total={data.total}
            onPage={setPage}
          />
        </>
      )}
    </div>
  );
}

/**
 * The digital dashboard (数字看板): platform totals as plots, the OpenI
 * index ranking, one project's radar / contributions / history, CSV export.
 */
export function DashboardPage(props: {
  project: string | undefined;
  onProject: (project: string) => void;
}): JSX.Element {
  const { client, community, trans } = useCommunity();
  const [days, setDays] = React.useState<number>(30);
  const [generation, setGeneration] = React.useState(0);
  const totals = useAsync(() => community.totals(days), `${days}`);
  const me = useAsync(() => client.getCurrentUser(), 'me');
  const [busy, setBusy] = React.useState(false);

  const download = (url: string, filename: string) => {
    downloadFile(community.serverSettings, url, filename).catch(error =>
      Notification.error(errorMessage(error), { autoClose: 8000 })
    );
  };
  const recompute = async () => {
    setBusy(true);
    try {
      const result = await community.recomputeIndex();
      Notification.success(
        trans.__('Index recomputed for %1 projects.', result.projects),
        { autoClose: 5000 }
      );
      setGeneration(g => g + 1);
    } catch (error) {
      Notification.error(errorMessage(error), { autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="openi-Dashboard" data-testid="openi-dashboard">
      <div className="openi-Dashboard-toolbar">
        <h1 className="openi-CommunityPage-title">
          {trans.__('Digital dashboard')}
        </h1>
        <label className="openi-FilterRow-label">
          {trans.__('Period')}
          <select
            value={days}
            data-testid="openi-dashboard-days"
            onChange={event => setDays(Number(event.target.value))}
          >
            {DAY_CHOICES.map(d => (
              <option key={d} value={d}>
                {trans.__('Last %1 days', d)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="openi-Button"
          data-testid="openi-export-totals"
          onClick={() =>
            download(community.totalsCsvUrl(days), `openi-totals-${days}d.csv`)
          }
        >
          {trans.__('Export totals (CSV)')}
        </button>
        <button
          type="button"
          className="openi-Button"
          data-testid="openi-export-index"
          onClick={() => download(community.indexCsvUrl(), 'openi-index.csv')}
        >
          {trans.__('Export index (CSV)')}
        </button>
        {me.data?.is_admin && (
          <button
            type="button"
            className="openi-Button"
            disabled={busy}
            data-testid="openi-recompute-index"
            onClick={() => void recompute()}
          >
            {busy ? trans.__('Computing…') : trans.__('Recompute index')}
          </button>
        )}
      </div>
      {totals.error !== undefined && (
        <ErrorLine
          trans={trans}
          message={errorMessage(totals.error)}
          onRetry={totals.reload}
        />
      )}
      {!totals.data && totals.error === undefined && <Loading trans={trans} />}
      {totals.data && (
        <>
          <TotalCards totals={totals.data} />
          <div className="openi-Dashboard-grid">
            <div className="openi-Card">
              <h3 className="openi-Card-title">
                {trans.__('Tasks by compute resource')}
              </h3>
              <TasksByComputeChart totals={totals.data} trans={trans} />
            </div>
            <div className="openi-Card">
              <h3 className="openi-Card-title">
                {trans.__('Compute hours per day')}
              </h3>
              <ComputeHoursChart totals={totals.data} trans={trans} />
            </div>
          </div>
        </>
      )}
      <h2 className="openi-Dashboard-heading">
        {trans.__('OpenI index ranking')}
      </h2>
      <RankingTable
        selected={props.project}
        onSelect={props.onProject}
        generation={generation}
      />
      {props.project && (
        <ProjectIndexView
          key={`${props.project}#${generation}`}
          project={props.project}
        />
      )}
    </div>
  );
}

/** The dashboard in the main area (one per page). */
export class DashboardWidget extends CommunityWidget {
  constructor(env: ICommunityEnv, project?: string) {
    super(
      env,
      'openi-dashboard',
      env.trans.__('Digital dashboard'),
      'openi-dashboard-view'
    );
    this._project = project;
  }

  /** Shows one project's index (below the ranking). */
  set project(project: string | undefined) {
    this._project = project;
    this.update();
  }

  protected renderPage(): JSX.Element {
    return (
      <DashboardPage
        project={this._project}
        onProject={project => {
          this.project = project;
        }}
      />
    );
  }

  private _project: string | undefined;
}
