import * as React from 'react';

import { ApiError, type IPage, type IProject, type OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { usePagedList, useRequest } from './hooks';
import { PagedBody } from './PagedBody';
import { ProjectFilterBar, type ProjectFilter } from './ProjectFilterBar';
import { ProjectItem } from './ProjectItem';
import { EmptyState } from './status';

const PER_PAGE = 20;

/** What the sidebar can ask of the app (commands). */
export interface IProjectActions {
  openProject(owner: string, name: string): void;
  newProject(): void;
  /** Opens the page of a dataset (`project` is `owner/name`). */
  openDataset?(project: string, dataset: string): void;
}

/**
 * Projects: all visible, mine, my organisations', starred; a search box,
 * paging and "New project".
 */
export function ProjectsSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
  actions?: IProjectActions;
}): JSX.Element {
  const { client, trans, generation, actions } = props;
  const [filter, setFilter] = React.useState<ProjectFilter>('all');
  const [q, setQ] = React.useState('');
  const [org, setOrg] = React.useState('');
  // `GET user/starred` may not exist on older servers: say so.
  const [starredMissing, setStarredMissing] = React.useState(false);
  const me = useRequest(() => client.getCurrentUser(), generation);
  const orgs = useRequest(
    () => client.listMyOrgs({ per_page: 100 }),
    generation
  );
  const orgName = org || orgs.data?.items[0]?.name || '';

  const load = (page: number): Promise<IPage<IProject>> => {
    const query = { page, per_page: PER_PAGE, q };
    switch (filter) {
      case 'mine':
        return me.data
          ? client.listProjects({ ...query, owner: me.data.username })
          : client
              .getCurrentUser()
              .then(u => client.listProjects({ ...query, owner: u.username }));
      case 'orgs':
        return orgName
          ? client.listProjects({ ...query, owner: orgName })
          : Promise.resolve({ items: [], total: 0, page, per_page: PER_PAGE });
      case 'starred':
        return client.listStarred(query).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) {
            setStarredMissing(true);
            return { items: [], total: 0, page, per_page: PER_PAGE };
          }
          throw error;
        });
      default:
        return client.listProjects(query);
    }
  };
  const list = usePagedList(
    load,
    JSON.stringify([generation, filter, q, orgName])
  );

  let empty = trans.__('No projects yet.');
  if (filter === 'starred' && starredMissing) {
    empty = trans.__('Starred projects need a newer OpenI server.');
  } else if (filter === 'orgs' && orgs.data?.items.length === 0) {
    empty = trans.__('You are not in any organisation.');
  } else if (q) {
    empty = trans.__('No projects match “%1”.', q);
  }

  return (
    <div className="openi-ProjectsSection">
      <ProjectFilterBar
        trans={trans}
        filter={filter}
        onFilter={f => {
          setStarredMissing(false);
          setFilter(f);
        }}
        onSearch={setQ}
        orgs={orgs.data?.items.map(o => o.name) ?? []}
        org={orgName}
        onOrg={setOrg}
        onNew={actions?.newProject}
      />
      {filter === 'starred' && starredMissing ? (
        <EmptyState message={empty} />
      ) : (
        <PagedBody
          list={list}
          trans={trans}
          emptyMessage={empty}
          renderItem={project => (
            <ProjectItem
              key={project.id}
              project={project}
              trans={trans}
              onOpen={
                actions
                  ? () => actions.openProject(project.owner, project.name)
                  : undefined
              }
            />
          )}
        />
      )}
    </div>
  );
}
