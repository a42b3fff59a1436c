import * as React from 'react';

import { ApiError, errorMessage } from '../../../api';
import { ErrorLine } from '../../status';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';

/** The README below the root listing; nothing when there is none (404). */
export function ReadmeView(props: { gitRef: string }): JSX.Element | null {
  const { gitRef } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const readme = useAsync(() => repo.readme(gitRef), gitRef);
  if (readme.error instanceof ApiError && readme.error.status === 404) {
    return null;
  }
  if (readme.error !== undefined) {
    return <ErrorLine trans={trans} message={errorMessage(readme.error)} />;
  }
  if (!readme.data) {
    return null;
  }
  return (
    <section className="openi-Readme" data-testid="openi-readme">
      <div className="openi-Readme-title">{readme.data.path}</div>
      {/* The server sanitises rendered HTML (see `GET …/readme`). */}
      <div
        className="openi-RenderedHTML jp-RenderedHTMLCommon"
        dangerouslySetInnerHTML={{ __html: readme.data.html }}
      />
    </section>
  );
}
