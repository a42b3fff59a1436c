import * as React from 'react';

import { AsyncView } from '../AsyncView';
import { useProject } from '../env';
import { useAsync } from '../useAsync';

/** A notebook rendered by the server (`GET …/render`): the notebook viewer. */
export function NotebookView(props: {
  gitRef: string;
  path: string;
}): JSX.Element {
  const { gitRef, path } = props;
  const { repo } = useProject();
  const rendered = useAsync(
    () => repo.render(gitRef, path),
    `${gitRef}:${path}`
  );
  return (
    <div className="openi-NotebookView" data-testid="openi-notebook-view">
      <AsyncView state={rendered}>
        {data => (
          // Sanitised by the server.
          <div
            className="openi-RenderedHTML jp-RenderedHTMLCommon"
            dangerouslySetInnerHTML={{ __html: data.html }}
          />
        )}
      </AsyncView>
    </div>
  );
}
