import * as React from 'react';

import type { IForkInfo } from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { useAsync } from '../project/useAsync';
import { NavLink, ProjectLink, UserLink } from './common';
import {
  CommunityWidget,
  type ICommunityEnv,
  PagedList,
  useCommunity
} from './context';
import { FeedList } from './FeedList';

const PER_PAGE = 20;

export type ProjectCommunityTab = 'activity' | 'forks';

/** "3 ahead, 1 behind" of a fork, or why it cannot be said. */
function Divergence(props: {
  fork: IForkInfo;
  base: string;
  trans: ITrans;
}): JSX.Element {
  const { fork, base, trans } = props;
  if (fork.ahead_by === null || fork.behind_by === null) {
    return <span>{trans.__('No common branch yet')}</span>;
  }
  if (fork.ahead_by === 0 && fork.behind_by === 0) {
    return <span>{trans.__('Even with %1', base)}</span>;
  }
  return (
    <span data-testid="openi-fork-divergence">
      {trans._n('%1 commit ahead', '%1 commits ahead', fork.ahead_by)}
      {', '}
      {trans._n('%1 commit behind', '%1 commits behind', fork.behind_by)}
      {' · '}
      {base}
    </span>
  );
}

/** The fork network (派生): every visible fork and what it changed. */
function ForkList(props: { project: string }): JSX.Element {
  const { project } = props;
  const { community, trans } = useCommunity();
  const [page, setPage] = React.useState(1);
  const state = useAsync(
    () => community.forkNetwork(project, { page, per_page: PER_PAGE }),
    `${project}|${page}`
  );
  const parent = state.data?.parent;
  const base = state.data?.default_branch ?? '';
  return (
    <>
      {parent && (
        <div className="openi-ListItem-meta">
          {trans.__('Forked from')} <ProjectLink fullName={parent} />
        </div>
      )}
      <PagedList
        state={state}
        page={page}
        perPage={PER_PAGE}
        onPage={setPage}
        testid="openi-fork-network"
        emptyMessage={trans.__('No forks yet.')}
        renderItem={fork => (
          <li
            key={fork.project.id}
            className="openi-ListItem"
            data-testid="openi-fork"
          >
            <div className="openi-ListItem-title">
              <ProjectLink fullName={fork.project.full_name} />
              <span className="openi-ListItem-subtitle">{fork.branch}</span>
            </div>
            {fork.project.description && (
              <div className="openi-ListItem-description">
                {fork.project.description}
              </div>
            )}
            <div className="openi-ListItem-meta">
              <Divergence fork={fork} base={base} trans={trans} />
              <UserLink username={fork.project.owner} />
              {fork.pushed_at && (
                <span title={fork.pushed_at}>
                  {trans.__('Pushed %1', trans.relativeTime(fork.pushed_at))}
                </span>
              )}
            </div>
          </li>
        )}
      />
    </>
  );
}

/**
 * A project's community page: its activity (动态) and its fork network
 * (派生), for showcase organisations to see who forked them and what the
 * forks changed.
 */
export function ProjectCommunityPage(props: {
  project: string;
  tab: ProjectCommunityTab;
  onTab: (tab: ProjectCommunityTab) => void;
}): JSX.Element {
  const { project, tab, onTab: setTab } = props;
  const { community, trans } = useCommunity();
  return (
    <div className="openi-ProjectCommunity">
      <h1 className="openi-CommunityPage-title">
        <ProjectLink fullName={project} />
        <NavLink
          className="openi-ProjectCommunity-index"
          onOpen={nav => nav.openDashboard(project)}
        >
          {trans.__('OpenI index')}
        </NavLink>
      </h1>
      <div className="openi-Tabs" role="tablist">
        {(
          [
            ['activity', 'Activity'],
            ['forks', 'Forks']
          ] as const
        ).map(([key, title]) => (
          <button
            key={key}
            type="button"
            role="tab"
            aria-selected={tab === key}
            className={`openi-Tab${tab === key ? ' openi-mod-active' : ''}`}
            data-testid={`openi-project-community-tab-${key}`}
            onClick={() => setTab(key)}
          >
            {trans.__(title)}
          </button>
        ))}
      </div>
      {tab === 'activity' ? (
        <FeedList
          reloadKey={`project:${project}`}
          trans={trans}
          load={page => community.projectFeed(project, { page, per_page: 30 })}
        />
      ) : (
        <ForkList project={project} />
      )}
    </div>
  );
}

/** Id of the main-area widget of a project's community page. */
export function projectCommunityWidgetId(project: string): string {
  return `openi-project-community-${project}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A project's activity and forks in the main area. */
export class ProjectCommunityWidget extends CommunityWidget {
  constructor(
    env: ICommunityEnv,
    readonly project: string,
    tab: ProjectCommunityTab = 'activity'
  ) {
    super(
      env,
      projectCommunityWidgetId(project),
      env.trans.__('Activity: %1', project),
      'openi-project-community-view'
    );
    this._tab = tab;
  }

  set tab(tab: ProjectCommunityTab) {
    this._tab = tab;
    this.update();
  }

  protected renderPage(): JSX.Element {
    return (
      <ProjectCommunityPage
        project={this.project}
        tab={this._tab}
        onTab={tab => {
          this.tab = tab;
        }}
      />
    );
  }

  private _tab: ProjectCommunityTab;
}
