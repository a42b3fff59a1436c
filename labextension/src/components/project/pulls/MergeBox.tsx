import * as React from 'react';

import {
  ApiError,
  errorMessage,
  type IPull,
  type MergeMethod
} from '../../../api';
import { ErrorLine } from '../../status';
import { useEnv, useProject } from '../env';

/** Merge method and button; a 409 shows the server's "conflicts…" message. */
export function MergeBox(props: {
  pull: IPull;
  onMerged: () => void;
}): JSX.Element | null {
  const { pull, onMerged } = props;
  const { trans } = useEnv();
  const { repo, reload } = useProject();
  const [method, setMethod] = React.useState<MergeMethod>('merge');
  const [busy, setBusy] = React.useState(false);
  const [error, setError] = React.useState<string | undefined>();

  if (pull.merged) {
    return (
      <div className="openi-MergeBox openi-mod-merged">
        {trans.__(
          'Merged by %1 %2',
          pull.merged_by?.username ?? '?',
          pull.merged_at ? trans.relativeTime(pull.merged_at) : ''
        )}
      </div>
    );
  }
  if (pull.state !== 'open') {
    return null;
  }
  const merge = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await repo.merge(pull.number, method);
      reload();
      onMerged();
    } catch (e) {
      // 409: the server explains (conflicts, not fast-forward…).
      setError(e instanceof ApiError ? e.message : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="openi-MergeBox" data-testid="openi-merge-box">
      <div>
        {pull.mergeable === false
          ? trans.__('This branch has conflicts with the base branch.')
          : pull.mergeable
            ? trans.__('This branch can be merged.')
            : trans.__('Checking whether it can be merged…')}
      </div>
      <select
        className="openi-Select"
        value={method}
        aria-label={trans.__('Merge method')}
        onChange={e => setMethod(e.currentTarget.value as MergeMethod)}
      >
        <option value="merge">{trans.__('Create a merge commit')}</option>
        <option value="fast-forward">{trans.__('Fast-forward only')}</option>
      </select>
      <button
        type="button"
        className="openi-Button openi-mod-primary"
        disabled={busy}
        data-testid="openi-merge"
        onClick={() => void merge()}
      >
        {trans.__('Merge')}
      </button>
      {error && <ErrorLine trans={trans} message={error} />}
    </div>
  );
}
