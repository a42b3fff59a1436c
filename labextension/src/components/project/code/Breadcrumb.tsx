import * as React from 'react';

import { useProject } from '../env';

/** `name / dir / sub / file`, each part but the last clickable. */
export function Breadcrumb(props: {
  path: string;
  onNavigate: (path: string) => void;
}): JSX.Element {
  const { path, onNavigate } = props;
  const { project } = useProject();
  const parts = path ? path.split('/') : [];
  return (
    <nav className="openi-Breadcrumb" data-testid="openi-breadcrumb">
      <button
        type="button"
        className="openi-LinkButton"
        onClick={() => onNavigate('')}
      >
        {project.name}
      </button>
      {parts.map((part, i) => {
        const target = parts.slice(0, i + 1).join('/');
        const last = i === parts.length - 1;
        return (
          <React.Fragment key={target}>
            <span className="openi-Breadcrumb-sep">/</span>
            {last ? (
              <span>{part}</span>
            ) : (
              <button
                type="button"
                className="openi-LinkButton"
                onClick={() => onNavigate(target)}
              >
                {part}
              </button>
            )}
          </React.Fragment>
        );
      })}
    </nav>
  );
}
