import { URLExt } from '@jupyterlab/coreutils';
import * as React from 'react';

import { errorMessage } from '../../api';
import { ErrorLine } from '../status';
import { useEnv, useProject } from './env';

/** The clone URL with a copy button, and "Clone to workspace". */
export function CloneBox(): JSX.Element {
  const { client, trans, openFolder } = useEnv();
  const { repo, project } = useProject();
  const [message, setMessage] = React.useState<string | undefined>();
  const [error, setError] = React.useState<string | undefined>();
  const [busy, setBusy] = React.useState(false);
  const base = client.serverSettings.baseUrl;
  const url = project.clone_path
    ? URLExt.join(
        base.startsWith('http') ? base : `${location.origin}${base}`,
        project.clone_path
      )
    : '';

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(url);
      setMessage(trans.__('Copied'));
    } catch {
      setMessage(trans.__('Select the URL and copy it'));
    }
  };

  const cloneToWorkspace = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await repo.workspaceClone(project.name);
      setMessage(trans.__('Cloned to %1', answer.path));
      openFolder(answer.path);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="openi-CloneBox">
      {url && (
        <>
          <input
            className="openi-CloneBox-url"
            readOnly
            value={url}
            aria-label={trans.__('Clone URL')}
            data-testid="openi-clone-url"
            onFocus={e => e.currentTarget.select()}
          />
          <button
            type="button"
            className="openi-Button"
            onClick={() => void copy()}
          >
            {trans.__('Copy')}
          </button>
        </>
      )}
      <button
        type="button"
        className="openi-Button openi-mod-primary"
        disabled={busy}
        data-testid="openi-workspace-clone"
        onClick={() => void cloneToWorkspace()}
      >
        {busy ? trans.__('Cloning…') : trans.__('Clone to workspace')}
      </button>
      {message && <span className="openi-muted">{message}</span>}
      {error && <ErrorLine trans={trans} message={error} />}
    </div>
  );
}
