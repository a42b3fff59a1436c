import * as React from 'react';

import type { OrgSort, UserSort } from '../../api/communityTypes';
import { useAsync } from '../project/useAsync';
import { Avatar, OrgLink, UserLink } from './common';
import { PagedList, useCommunity } from './context';
import { FilterInput } from './ExploreProjects';

const PER_PAGE = 20;

/** A dropdown (sort, filter) over `options` ([value, msgid]). */
export function SortSelect<T extends string>(props: {
  value: T;
  options: ReadonlyArray<[T, string]>;
  onChange: (value: T) => void;
  /** Msgid of the label; "Sort" by default. */
  label?: string;
}): JSX.Element {
  const { trans } = useCommunity();
  return (
    <label className="openi-FilterRow-label">
      {trans.__(props.label ?? 'Sort')}
      <select
        value={props.value}
        onChange={event => props.onChange(event.target.value as T)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {trans.__(label)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Filter text, sort and page of a list, resetting the page on changes. */
function useListControls<S extends string>(initialSort: S) {
  const [q, setQ] = React.useState('');
  const [sort, setSort] = React.useState<S>(initialSort);
  const [page, setPage] = React.useState(1);
  return {
    q,
    sort,
    page,
    setPage,
    setQ: (value: string) => {
      setQ(value);
      setPage(1);
    },
    setSort: (value: S) => {
      setSort(value);
      setPage(1);
    },
    key: `${q}|${sort}|${page}`
  };
}

const ORG_SORTS: ReadonlyArray<[OrgSort, string]> = [
  ['projects', 'Most projects'],
  ['members', 'Most members'],
  ['created', 'Newest'],
  ['name', 'Name']
];

/** Organisations (组织) with project, member and team counts. */
export function ExploreOrgs(): JSX.Element {
  const { community, trans } = useCommunity();
  const c = useListControls<OrgSort>('projects');
  const state = useAsync(
    () =>
      community.exploreOrgs({
        q: c.q || undefined,
        sort: c.sort,
        page: c.page,
        per_page: PER_PAGE
      }),
    c.key
  );
  return (
    <>
      <div className="openi-FilterRow">
        <FilterInput
          value={c.q}
          placeholder={trans.__('Filter organisations…')}
          onChange={c.setQ}
        />
        <SortSelect value={c.sort} options={ORG_SORTS} onChange={c.setSort} />
      </div>
      <PagedList
        state={state}
        page={c.page}
        perPage={PER_PAGE}
        onPage={c.setPage}
        testid="openi-explore-orgs"
        emptyMessage={trans.__('No organisations match.')}
        renderItem={org => (
          <li
            key={org.id}
            className="openi-ListItem openi-PersonRow"
            data-testid="openi-explore-org"
          >
            <Avatar name={org.name} size={32} />
            <div className="openi-PersonRow-body">
              <div className="openi-ListItem-title">
                <OrgLink name={org.name} />
                {org.full_name && org.full_name !== org.name && (
                  <span className="openi-ListItem-subtitle">
                    {org.full_name}
                  </span>
                )}
              </div>
              {org.description && (
                <div className="openi-ListItem-description">
                  {org.description}
                </div>
              )}
              <div className="openi-ListItem-meta">
                <span>
                  {trans._n('%1 project', '%1 projects', org.project_count)}
                </span>
                <span>
                  {trans._n('%1 member', '%1 members', org.member_count)}
                </span>
                <span>{trans._n('%1 team', '%1 teams', org.team_count)}</span>
              </div>
            </div>
          </li>
        )}
      />
    </>
  );
}

const USER_SORTS: ReadonlyArray<[UserSort, string]> = [
  ['created', 'Newest'],
  ['name', 'Name'],
  ['projects', 'Most projects']
];

/** Users (用户). */
export function ExploreUsers(): JSX.Element {
  const { community, trans } = useCommunity();
  const c = useListControls<UserSort>('created');
  const state = useAsync(
    () =>
      community.exploreUsers({
        q: c.q || undefined,
        sort: c.sort,
        page: c.page,
        per_page: PER_PAGE
      }),
    c.key
  );
  return (
    <>
      <div className="openi-FilterRow">
        <FilterInput
          value={c.q}
          placeholder={trans.__('Filter users…')}
          onChange={c.setQ}
        />
        <SortSelect value={c.sort} options={USER_SORTS} onChange={c.setSort} />
      </div>
      <PagedList
        state={state}
        page={c.page}
        perPage={PER_PAGE}
        onPage={c.setPage}
        testid="openi-explore-users"
        emptyMessage={trans.__('No users match.')}
        renderItem={user => (
          <li
            key={user.id}
            className="openi-ListItem openi-PersonRow"
            data-testid="openi-explore-user"
          >
            <Avatar name={user.username} url={user.avatar_url} size={32} />
            <div className="openi-PersonRow-body">
              <div className="openi-ListItem-title">
                <UserLink username={user.username} />
                {user.full_name && (
                  <span className="openi-ListItem-subtitle">
                    {user.full_name}
                  </span>
                )}
              </div>
              <div className="openi-ListItem-meta">
                <span>
                  {trans._n('%1 project', '%1 projects', user.project_count)}
                </span>
                <span title={user.created_at}>
                  {trans.__('Joined %1', trans.relativeTime(user.created_at))}
                </span>
              </div>
            </div>
          </li>
        )}
      />
    </>
  );
}

/** Cloud-brain images (云脑镜像) others made, ready to use in a task. */
export function ExploreImages(): JSX.Element {
  const { community, trans } = useCommunity();
  const c = useListControls<'updated'>('updated');
  const state = useAsync(
    () =>
      community.images({
        q: c.q || undefined,
        page: c.page,
        per_page: PER_PAGE
      }),
    c.key
  );
  return (
    <>
      <div className="openi-FilterRow">
        <FilterInput
          value={c.q}
          placeholder={trans.__('Filter images…')}
          onChange={c.setQ}
        />
      </div>
      <PagedList
        state={state}
        page={c.page}
        perPage={PER_PAGE}
        onPage={c.setPage}
        testid="openi-explore-images"
        emptyMessage={trans.__('No images yet.')}
        renderItem={image => (
          <li
            key={image.id}
            className="openi-ListItem"
            data-testid="openi-explore-image"
          >
            <div className="openi-ListItem-title">
              <span className="openi-ListItem-name">{image.full_name}</span>
              {image.visibility === 'private' && (
                <span className="openi-Badge">{trans.__('Private')}</span>
              )}
              {image.env?.state && (
                <span className="openi-Badge">{image.env.state}</span>
              )}
            </div>
            {image.description && (
              <div className="openi-ListItem-description">
                {image.description}
              </div>
            )}
            <div className="openi-ListItem-meta">
              <code>{image.container_image}</code>
              {image.env?.python && <span>Python {image.env.python}</span>}
              {image.creator && <UserLink username={image.creator.username} />}
              <span title={image.updated_at}>
                {trans.__('Updated %1', trans.relativeTime(image.updated_at))}
              </span>
            </div>
          </li>
        )}
      />
    </>
  );
}
