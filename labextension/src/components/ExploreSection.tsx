import * as React from 'react';

import type { IOrg, OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { OrgLink } from './explore/common';
import { ExploreHome } from './explore/ExploreHome';
import { usePagedList } from './hooks';
import { PagedBody } from './PagedBody';

const PER_PAGE = 20;

function OrgItem(props: { org: IOrg; trans: ITrans }): JSX.Element {
  const { org, trans } = props;
  return (
    <li className="openi-ListItem" data-testid="openi-org">
      <div className="openi-ListItem-title">
        <span className="openi-ListItem-name">
          <OrgLink name={org.name} />
        </span>
        {org.full_name && org.full_name !== org.name && (
          <span className="openi-ListItem-subtitle">{org.full_name}</span>
        )}
        {org.visibility === 'private' && (
          <span className="openi-Badge">{trans.__('Private')}</span>
        )}
      </div>
      {org.description && (
        <div className="openi-ListItem-description">{org.description}</div>
      )}
      <div className="openi-ListItem-meta">
        <span>{trans._n('%1 member', '%1 members', org.member_count)}</span>
        <span>{trans._n('%1 team', '%1 teams', org.team_count)}</span>
        <span>{trans._n('%1 project', '%1 projects', org.project_count)}</span>
      </div>
    </li>
  );
}

/**
 * Explore: links to the explore lists, the activity feed, recommendations,
 * then the organisations on the platform.
 */
export function ExploreSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const list = usePagedList(
    page => client.listOrgs({ page, per_page: PER_PAGE }),
    generation
  );
  return (
    <>
      <ExploreHome client={client} trans={trans} generation={generation} />
      <div className="openi-SubSection-header">
        <span className="openi-SubSection-title">
          {trans.__('Organisations')}
        </span>
      </div>
      <PagedBody
        list={list}
        trans={trans}
        emptyMessage={trans.__('No organisations yet.')}
        renderItem={org => <OrgItem key={org.id} org={org} trans={trans} />}
      />
    </>
  );
}
