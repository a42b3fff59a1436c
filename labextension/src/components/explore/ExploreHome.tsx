import * as React from 'react';

import type { OpenIClient } from '../../api';
import { CommunityClient } from '../../api/community';
import type {
  IRecommendedOrg,
  IRecommendedProject
} from '../../api/communityTypes';
import type { ITrans } from '../../i18n';
import { useRequest } from '../hooks';
import { ErrorLine, Loading } from '../status';
import { NavLink, OrgLink, ProjectLink } from './common';
import { formatIndex } from '../dashboard/formatIndex';
import { FeedList } from './FeedList';
import { ProjectCounts } from './ProjectRow';
import { EXPLORE_TABS } from './exploreTabs';
import { submitRecommendation } from './SubmitRecommendation';

const FEED_PAGE = 5;
const RECOMMENDED = 5;

/** The community client of a sidebar section (one per API client). */
export function useCommunityClient(client: OpenIClient): CommunityClient {
  return React.useMemo(
    () => new CommunityClient(client.serverSettings),
    [client]
  );
}

/** Home / mine toggle over the activity feed. */
function SidebarFeed(props: {
  community: CommunityClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { community, trans, generation } = props;
  const [scope, setScope] = React.useState<'home' | 'mine'>('home');
  const load = (page: number) =>
    scope === 'home'
      ? community.homeFeed({ page, per_page: FEED_PAGE })
      : community.myFeed({ page, per_page: FEED_PAGE });
  return (
    <div className="openi-SubSection" data-testid="openi-explore-feed">
      <div className="openi-SubSection-header">
        <span className="openi-SubSection-title">{trans.__('Activity')}</span>
        <div className="openi-Toggle" role="group">
          {(
            [
              ['home', 'All'],
              ['mine', 'Watching']
            ] as const
          ).map(([key, label]) => (
            <button
              key={key}
              type="button"
              className={`openi-Toggle-button${scope === key ? ' openi-mod-active' : ''}`}
              aria-pressed={scope === key}
              data-testid={`openi-feed-${key}`}
              onClick={() => setScope(key)}
            >
              {trans.__(label)}
            </button>
          ))}
        </div>
      </div>
      <FeedList
        load={load}
        reloadKey={`${scope}#${generation}`}
        trans={trans}
        emptyMessage={
          scope === 'mine'
            ? trans.__('Watch projects to see their activity here.')
            : trans.__('No activity yet.')
        }
      />
    </div>
  );
}

/** Marks an entry the administrators picked (the rest come from the index). */
function Featured(props: { trans: ITrans }): JSX.Element {
  return (
    <span
      className="openi-Badge openi-mod-featured"
      data-testid="openi-featured"
    >
      {props.trans.__('Featured')}
    </span>
  );
}

function RecommendedOrgItem(props: {
  org: IRecommendedOrg;
  trans: ITrans;
}): JSX.Element {
  const { org, trans } = props;
  return (
    <li className="openi-ListItem" data-testid="openi-recommended-org">
      <div className="openi-ListItem-title">
        <OrgLink name={org.name} label={org.full_name || org.name} />
        {org.curated && <Featured trans={trans} />}
      </div>
      <div className="openi-ListItem-meta">
        <span>{trans._n('%1 project', '%1 projects', org.project_count)}</span>
        <span>{trans._n('%1 member', '%1 members', org.member_count)}</span>
        <span>{trans._n('%1 team', '%1 teams', org.team_count)}</span>
      </div>
    </li>
  );
}

/** A recommended project: name, counts, description, topics. */
export function RecommendedProjectItem(props: {
  project: IRecommendedProject;
  trans: ITrans;
}): JSX.Element {
  const { project, trans } = props;
  return (
    <li className="openi-ListItem" data-testid="openi-recommended-project">
      <div className="openi-ListItem-title">
        <ProjectLink fullName={project.full_name} />
        {project.curated && <Featured trans={trans} />}
      </div>
      {project.description && (
        <div className="openi-ListItem-description">{project.description}</div>
      )}
      <div className="openi-ListItem-meta">
        <ProjectCounts project={project} trans={trans} />
        {project.openi_index !== null && (
          <span title={trans.__('OpenI index')}>
            {trans.__('Index %1', formatIndex(project.openi_index))}
          </span>
        )}
      </div>
      {(project.topics ?? []).length > 0 && (
        <div className="openi-Topics">
          {(project.topics ?? []).map(topic => (
            <span key={topic} className="openi-Topic">
              {topic}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}

function Recommended(props: {
  community: CommunityClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { community, trans, generation } = props;
  const state = useRequest(
    () => community.recommendations(RECOMMENDED),
    generation
  );
  if (state.error) {
    return <ErrorLine trans={trans} message={state.error} />;
  }
  if (!state.data) {
    return <Loading trans={trans} />;
  }
  const { orgs, projects } = state.data;
  return (
    <>
      <div className="openi-SubSection" data-testid="openi-recommended-orgs">
        <div className="openi-SubSection-header">
          <span className="openi-SubSection-title">
            {trans.__('Recommended organisations')}
          </span>
          <NavLink onOpen={n => n.openExplore('orgs')}>
            {trans.__('More')}
          </NavLink>
        </div>
        {orgs.length === 0 ? (
          <div className="openi-SubSection-empty">
            {trans.__('No recommendations yet.')}
          </div>
        ) : (
          <ul className="openi-List">
            {orgs.map(org => (
              <RecommendedOrgItem key={org.id} org={org} trans={trans} />
            ))}
          </ul>
        )}
      </div>
      <div
        className="openi-SubSection"
        data-testid="openi-recommended-projects"
      >
        <div className="openi-SubSection-header">
          <span className="openi-SubSection-title">
            {trans.__('Recommended projects')}
          </span>
          <NavLink onOpen={n => n.openExplore('projects')}>
            {trans.__('Project square')}
          </NavLink>
        </div>
        {projects.length === 0 ? (
          <div className="openi-SubSection-empty">
            {trans.__('No recommendations yet.')}
          </div>
        ) : (
          <ul className="openi-List">
            {projects.map(project => (
              <RecommendedProjectItem
                key={project.id}
                project={project}
                trans={trans}
              />
            ))}
          </ul>
        )}
        <div className="openi-SubSection-footer">
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-submit-recommendation"
            onClick={() => void submitRecommendation(community, trans)}
          >
            {trans.__('Submit yours')}
          </button>
        </div>
      </div>
    </>
  );
}

/** Links to the Explore page's lists (探索). */
function ExploreLinks(props: { trans: ITrans }): JSX.Element {
  return (
    <nav className="openi-ExploreLinks" data-testid="openi-explore-links">
      {EXPLORE_TABS.filter(tab => tab.key !== 'requests').map(tab => (
        <NavLink
          key={tab.key}
          testid={`openi-explore-link-${tab.key}`}
          onOpen={n => n.openExplore(tab.key)}
        >
          {props.trans.__(tab.title)}
        </NavLink>
      ))}
    </nav>
  );
}

/**
 * The top of the sidebar's Explore section: links to the explore lists, the
 * activity feed, recommended organisations and projects.
 */
export function ExploreHome(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const community = useCommunityClient(client);
  return (
    <div className="openi-ExploreHome">
      <ExploreLinks trans={trans} />
      <SidebarFeed
        community={community}
        trans={trans}
        generation={generation}
      />
      <Recommended
        community={community}
        trans={trans}
        generation={generation}
      />
    </div>
  );
}
