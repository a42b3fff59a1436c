import * as React from 'react';

import type { IProject } from '../../api';
import type { ITrans } from '../../i18n';
import { NavLink, ProjectLink } from './common';
import { formatIndex } from '../dashboard/formatIndex';

/** Stars (点赞), forks (派生) and watches (关注) of a project. */
export function ProjectCounts(props: {
  project: IProject;
  trans: ITrans;
}): JSX.Element {
  const { project, trans } = props;
  return (
    <>
      <span data-testid="openi-count-stars">
        {trans._n('%1 star', '%1 stars', project.num_stars ?? 0)}
      </span>
      <NavLink
        testid="openi-forks-link"
        title={trans.__('Fork network')}
        onOpen={nav => nav.openProjectCommunity(project.full_name, 'forks')}
      >
        {trans._n('%1 fork', '%1 forks', project.num_forks ?? 0)}
      </NavLink>
      <span>
        {trans._n('%1 watcher', '%1 watchers', project.num_watches ?? 0)}
      </span>
    </>
  );
}

/** A project in a main-area list: name, description, topics and counts. */
export function ProjectRow(props: {
  project: IProject & { openi_index?: number | null };
  trans: ITrans;
  onTopic?: (topic: string) => void;
}): JSX.Element {
  const { project, trans, onTopic } = props;
  return (
    <li
      className="openi-ListItem openi-ProjectRow"
      data-testid="openi-explore-project"
    >
      <div className="openi-ListItem-title">
        <ProjectLink fullName={project.full_name} />
        {project.visibility === 'private' && (
          <span className="openi-Badge">{trans.__('Private')}</span>
        )}
        {project.fork_parent && (
          <span className="openi-ListItem-subtitle">
            {trans.__('forked from %1', project.fork_parent)}
          </span>
        )}
      </div>
      {project.description && (
        <div className="openi-ListItem-description">{project.description}</div>
      )}
      {(project.topics ?? []).length > 0 && (
        <div className="openi-Topics">
          {(project.topics ?? []).map(topic =>
            onTopic ? (
              <button
                key={topic}
                type="button"
                className="openi-Topic"
                onClick={() => onTopic(topic)}
              >
                {topic}
              </button>
            ) : (
              <span key={topic} className="openi-Topic">
                {topic}
              </span>
            )
          )}
        </div>
      )}
      <div className="openi-ListItem-meta">
        <ProjectCounts project={project} trans={trans} />
        {project.openi_index !== undefined && project.openi_index !== null && (
          <span data-testid="openi-project-index">
            {trans.__('OpenI index %1', formatIndex(project.openi_index))}
          </span>
        )}
        <span title={project.updated_at}>
          {trans.__('Updated %1', trans.relativeTime(project.updated_at))}
        </span>
      </div>
    </li>
  );
}
