import * as React from 'react';

import type { IProject, OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { usePagedList } from './hooks';
import { PagedBody } from './PagedBody';

const PER_PAGE = 20;

function ProjectItem(props: { project: IProject; trans: ITrans }): JSX.Element {
  const { project, trans } = props;
  return (
    <li className="openi-ListItem" data-testid="openi-project">
      <div className="openi-ListItem-title">
        <span className="openi-ListItem-name">
          {project.owner}/{project.name}
        </span>
        {project.visibility === 'private' && (
          <span className="openi-Badge" data-testid="openi-private-badge">
            {trans.__('Private')}
          </span>
        )}
      </div>
      <div className="openi-ListItem-description">
        {project.description || (
          <span className="openi-muted">{trans.__('No description')}</span>
        )}
      </div>
      <div className="openi-ListItem-meta">
        <time dateTime={project.updated_at} title={project.updated_at}>
          {trans.__('Updated %1', trans.relativeTime(project.updated_at))}
        </time>
      </div>
    </li>
  );
}

/** Projects: those visible to the signed-in user. */
export function ProjectsSection(props: {
  client: OpenIClient;
  trans: ITrans;
  generation: number;
}): JSX.Element {
  const { client, trans, generation } = props;
  const list = usePagedList(
    page => client.listProjects({ page, per_page: PER_PAGE }),
    generation
  );
  return (
    <PagedBody
      list={list}
      trans={trans}
      emptyMessage={trans.__('No projects yet.')}
      renderItem={project => (
        <ProjectItem key={project.id} project={project} trans={trans} />
      )}
    />
  );
}
