import * as React from 'react';

import type { IProject } from '../api';
import type { ITrans } from '../i18n';

/** One project of the sidebar list; clicking opens its view. */
export function ProjectItem(props: {
  project: IProject;
  trans: ITrans;
  onOpen?: () => void;
}): JSX.Element {
  const { project, trans, onOpen } = props;
  const name = `${project.owner}/${project.name}`;
  return (
    <li className="openi-ListItem" data-testid="openi-project">
      <div className="openi-ListItem-title">
        {onOpen ? (
          <button
            type="button"
            className="openi-LinkButton openi-ListItem-name"
            data-testid="openi-project-link"
            onClick={onOpen}
          >
            {name}
          </button>
        ) : (
          <span className="openi-ListItem-name">{name}</span>
        )}
        {project.visibility === 'private' && (
          <span className="openi-Badge" data-testid="openi-private-badge">
            {trans.__('Private')}
          </span>
        )}
        {project.is_archived && (
          <span className="openi-Badge">{trans.__('Archived')}</span>
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
