import * as React from 'react';

import { CloneBox } from './CloneBox';
import { useEnv, useProject } from './env';
import { ProjectActions } from './ProjectActions';

/** `owner/name`, badges, description, topics, actions and the clone URL. */
export function ProjectHeader(): JSX.Element {
  const { trans, openProject, openProjectCommunity } = useEnv();
  const { project } = useProject();
  const fullName = `${project.owner}/${project.name}`;
  const parent = project.fork_parent?.split('/');
  return (
    <header className="openi-ProjectHeader" data-testid="openi-project-header">
      <div className="openi-ProjectHeader-row">
        <h1 className="openi-ProjectHeader-title">
          {project.owner}/<strong>{project.name}</strong>
        </h1>
        {project.visibility === 'private' && (
          <span className="openi-Badge">{trans.__('Private')}</span>
        )}
        {project.is_archived && (
          <span className="openi-Badge openi-mod-warn">
            {trans.__('Archived')}
          </span>
        )}
        {parent && parent.length === 2 && (
          <span className="openi-Badge">
            {trans.__('Fork of')}{' '}
            <button
              type="button"
              className="openi-LinkButton"
              onClick={() => openProject(parent[0], parent[1])}
            >
              {project.fork_parent}
            </button>
          </span>
        )}
        <ProjectActions />
      </div>
      {openProjectCommunity && (
        <div className="openi-ProjectHeader-links">
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-project-activity-link"
            onClick={() => openProjectCommunity(fullName, 'activity')}
          >
            {trans.__('Activity')}
          </button>
          <button
            type="button"
            className="openi-LinkButton"
            data-testid="openi-project-forks-link"
            onClick={() => openProjectCommunity(fullName, 'forks')}
          >
            {trans._n('%1 fork', '%1 forks', project.num_forks ?? 0)}
          </button>
        </div>
      )}
      <div className="openi-ProjectHeader-description">
        {project.description || (
          <span className="openi-muted">{trans.__('No description')}</span>
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
      <CloneBox />
    </header>
  );
}
