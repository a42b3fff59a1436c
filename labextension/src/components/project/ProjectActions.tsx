import * as React from 'react';

import { errorMessage, type IStarState } from '../../api';
import { ErrorLine } from '../status';
import { useEnv, useProject } from './env';

/** Watch (关注), Star (点赞) and Fork (派生) with their counts. */
export function ProjectActions(): JSX.Element {
  const { trans, openProject } = useEnv();
  const { repo, project, counts, reload } = useProject();
  const [state, setState] = React.useState<IStarState | undefined>();
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | undefined>();

  React.useEffect(() => {
    let current = true;
    repo.subscription().then(
      s => current && setState(s),
      (e: unknown) => current && setError(errorMessage(e))
    );
    return () => {
      current = false;
    };
  }, [repo]);

  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setState(await repo.subscription());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const fork = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await repo.fork({});
      reload();
      openProject(created.owner, created.name);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const watching = state?.watching ?? false;
  const starred = state?.starred ?? false;
  return (
    <div className="openi-ProjectActions">
      <button
        type="button"
        className={`openi-Button${watching ? ' openi-mod-on' : ''}`}
        disabled={busy || !state}
        aria-pressed={watching}
        data-testid="openi-watch"
        onClick={() => void run(() => repo.setWatch(!watching))}
      >
        {watching ? trans.__('Unwatch') : trans.__('Watch')}
        <span className="openi-Button-count">
          {state?.num_watches ?? project.num_watches ?? 0}
        </span>
      </button>
      <button
        type="button"
        className={`openi-Button${starred ? ' openi-mod-on' : ''}`}
        disabled={busy || !state}
        aria-pressed={starred}
        data-testid="openi-star"
        onClick={() => void run(() => repo.setStar(!starred))}
      >
        {starred ? trans.__('Unstar') : trans.__('Star')}
        <span className="openi-Button-count">
          {state?.num_stars ?? project.num_stars ?? 0}
        </span>
      </button>
      <button
        type="button"
        className="openi-Button"
        disabled={busy}
        data-testid="openi-fork"
        onClick={() => void fork()}
      >
        {trans.__('Fork')}
        <span className="openi-Button-count">
          {counts?.forks ?? project.num_forks ?? 0}
        </span>
      </button>
      {error && <ErrorLine trans={trans} message={error} />}
    </div>
  );
}
