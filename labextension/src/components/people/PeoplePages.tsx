import * as React from 'react';

import { errorMessage, type IOrg, type IUser } from '../../api';
import { Avatar, UserLink } from '../explore/common';
import {
  CommunityWidget,
  type ICommunityEnv,
  PagedList,
  useCommunity
} from '../explore/context';
import { FeedList } from '../explore/FeedList';
import { ProjectRow } from '../explore/ProjectRow';
import { useAsync } from '../project/useAsync';
import { ErrorLine, Loading } from '../status';

const PER_PAGE = 20;

type PeopleTab = 'projects' | 'members' | 'activity';

/** The projects of a user or an organisation, paged. */
function OwnerProjects(props: { owner: string }): JSX.Element {
  const { community, trans } = useCommunity();
  const [page, setPage] = React.useState(1);
  const state = useAsync(
    () => community.ownerProjects(props.owner, { page, per_page: PER_PAGE }),
    `${props.owner}|${page}`
  );
  return (
    <PagedList
      state={state}
      page={page}
      perPage={PER_PAGE}
      onPage={setPage}
      testid="openi-owner-projects"
      emptyMessage={trans.__('No projects yet.')}
      renderItem={project => (
        <ProjectRow key={project.id} project={project} trans={trans} />
      )}
    />
  );
}

/** Members of an organisation with their role. */
function OrgMembers(props: { org: string }): JSX.Element {
  const { client, trans } = useCommunity();
  const [page, setPage] = React.useState(1);
  const state = useAsync(
    () => client.listOrgMembers(props.org, { page, per_page: PER_PAGE }),
    `${props.org}|${page}`
  );
  return (
    <PagedList
      state={state}
      page={page}
      perPage={PER_PAGE}
      onPage={setPage}
      testid="openi-org-members"
      emptyMessage={trans.__('No members you may see.')}
      renderItem={member => (
        <li
          key={member.user.id}
          className="openi-ListItem openi-PersonRow"
          data-testid="openi-org-member"
        >
          <Avatar
            name={member.user.username}
            url={member.user.avatar_url}
            size={28}
          />
          <div className="openi-PersonRow-body">
            <div className="openi-ListItem-title">
              <UserLink username={member.user.username} />
              {member.user.full_name && (
                <span className="openi-ListItem-subtitle">
                  {member.user.full_name}
                </span>
              )}
              {member.role === 'owner' && (
                <span className="openi-Badge">{trans.__('Owner')}</span>
              )}
            </div>
          </div>
        </li>
      )}
    />
  );
}

/** Tab bar of a people page. */
function PeopleTabs(props: {
  tabs: ReadonlyArray<[PeopleTab, string, number | undefined]>;
  tab: PeopleTab;
  onTab: (tab: PeopleTab) => void;
}): JSX.Element {
  const { trans } = useCommunity();
  return (
    <div className="openi-Tabs" role="tablist">
      {props.tabs.map(([key, title, count]) => (
        <button
          key={key}
          type="button"
          role="tab"
          aria-selected={props.tab === key}
          className={`openi-Tab${props.tab === key ? ' openi-mod-active' : ''}`}
          data-testid={`openi-people-tab-${key}`}
          onClick={() => props.onTab(key)}
        >
          {trans.__(title)}
          {count !== undefined && (
            <span className="openi-Tab-count">{count}</span>
          )}
        </button>
      ))}
    </div>
  );
}

function OrgProfile(props: { org: IOrg }): JSX.Element {
  const { org } = props;
  const { community, trans } = useCommunity();
  const [tab, setTab] = React.useState<PeopleTab>('projects');
  return (
    <>
      <header className="openi-PeopleHeader" data-testid="openi-org-header">
        <Avatar name={org.name} size={56} />
        <div className="openi-PeopleHeader-names">
          <h1 className="openi-CommunityPage-title">
            {org.full_name || org.name}
            {org.visibility === 'private' && (
              <span className="openi-Badge">{trans.__('Private')}</span>
            )}
          </h1>
          <div className="openi-PeopleHeader-login">{org.name}</div>
          {org.description && (
            <p className="openi-PeopleHeader-description">{org.description}</p>
          )}
          <div className="openi-ListItem-meta">
            <span>
              {trans._n('%1 project', '%1 projects', org.project_count)}
            </span>
            <span>{trans._n('%1 member', '%1 members', org.member_count)}</span>
            <span>{trans._n('%1 team', '%1 teams', org.team_count)}</span>
            <span title={org.created_at}>
              {trans.__('Created %1', trans.relativeTime(org.created_at))}
            </span>
          </div>
        </div>
      </header>
      <PeopleTabs
        tab={tab}
        onTab={setTab}
        tabs={[
          ['projects', 'Projects', org.project_count],
          ['members', 'Members', org.member_count],
          ['activity', 'Activity', undefined]
        ]}
      />
      <div className="openi-PeoplePage-body">
        {tab === 'projects' && <OwnerProjects owner={org.name} />}
        {tab === 'members' && <OrgMembers org={org.name} />}
        {tab === 'activity' && (
          <FeedList
            reloadKey={`org:${org.name}`}
            trans={trans}
            load={page => community.orgFeed(org.name, { page, per_page: 30 })}
          />
        )}
      </div>
    </>
  );
}

function UserProfile(props: { user: IUser }): JSX.Element {
  const { user } = props;
  const { community, trans } = useCommunity();
  const [tab, setTab] = React.useState<PeopleTab>('projects');
  return (
    <>
      <header className="openi-PeopleHeader" data-testid="openi-user-header">
        <Avatar name={user.username} url={user.avatar_url} size={56} />
        <div className="openi-PeopleHeader-names">
          <h1 className="openi-CommunityPage-title">
            {user.full_name || user.username}
            {user.is_admin && (
              <span className="openi-Badge">{trans.__('Admin')}</span>
            )}
          </h1>
          <div className="openi-PeopleHeader-login">{user.username}</div>
          <div className="openi-ListItem-meta">
            <span title={user.created_at}>
              {trans.__('Joined %1', trans.relativeTime(user.created_at))}
            </span>
          </div>
        </div>
      </header>
      <PeopleTabs
        tab={tab}
        onTab={setTab}
        tabs={[
          ['projects', 'Projects', undefined],
          ['activity', 'Activity', undefined]
        ]}
      />
      <div className="openi-PeoplePage-body">
        {tab === 'projects' && <OwnerProjects owner={user.username} />}
        {tab === 'activity' && (
          <FeedList
            reloadKey={`user:${user.username}`}
            trans={trans}
            load={page =>
              community.userFeed(user.username, { page, per_page: 30 })
            }
          />
        )}
      </div>
    </>
  );
}

/** An organisation's or a user's page: profile, projects, activity. */
export function PeoplePage(props: {
  kind: 'org' | 'user';
  name: string;
}): JSX.Element {
  const { kind, name } = props;
  const { client, trans } = useCommunity();
  const state = useAsync<IOrg | IUser>(
    () => (kind === 'org' ? client.getOrg(name) : client.getUser(name)),
    `${kind}:${name}`
  );
  if (state.error !== undefined) {
    return (
      <ErrorLine
        trans={trans}
        message={errorMessage(state.error)}
        onRetry={state.reload}
      />
    );
  }
  if (!state.data) {
    return <Loading trans={trans} />;
  }
  return kind === 'org' ? (
    <OrgProfile org={state.data as IOrg} />
  ) : (
    <UserProfile user={state.data as IUser} />
  );
}

/** Id of the main-area widget of a user or organisation page. */
export function peopleWidgetId(kind: 'org' | 'user', name: string): string {
  return `openi-${kind}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A user's or an organisation's page in the main area. */
export class PeopleWidget extends CommunityWidget {
  constructor(
    env: ICommunityEnv,
    readonly kind: 'org' | 'user',
    readonly name: string
  ) {
    super(
      env,
      peopleWidgetId(kind, name),
      name,
      kind === 'org' ? 'openi-org-view' : 'openi-user-view'
    );
  }

  protected renderPage(): JSX.Element {
    return <PeoplePage kind={this.kind} name={this.name} />;
  }
}
