import * as React from 'react';

import { AsyncView } from './AsyncView';
import { useEnv, useProject } from './env';
import { useAsync } from './useAsync';

/** Branches (分支): name, default and protected badges, last commit. */
export function BranchesTab(): JSX.Element {
  const { trans } = useEnv();
  const { repo } = useProject();
  const branches = useAsync(() => repo.branches(), repo.fullName);
  return (
    <div className="openi-BranchesTab" data-testid="openi-branches-tab">
      <AsyncView state={branches}>
        {data =>
          data.length === 0 ? (
            <div className="openi-EmptyState" data-testid="openi-empty">
              {trans.__('No branches yet: push to the clone URL.')}
            </div>
          ) : (
            <ul className="openi-List">
              {data.map(b => (
                <li key={b.name} className="openi-ListItem">
                  <div className="openi-ListItem-title">
                    <span className="openi-ListItem-name openi-mono">
                      {b.name}
                    </span>
                    {b.is_default && (
                      <span className="openi-Badge">{trans.__('Default')}</span>
                    )}
                    {b.protected && (
                      <span className="openi-Badge openi-mod-warn">
                        {trans.__('Protected')}
                      </span>
                    )}
                  </div>
                  <div className="openi-ListItem-meta">
                    <span>{b.commit.summary}</span>
                    <span className="openi-mono">{b.commit.short_sha}</span>
                    <span>{b.commit.author_name}</span>
                    <time dateTime={b.commit.committed_at}>
                      {trans.__(
                        'Updated %1',
                        trans.relativeTime(b.commit.committed_at)
                      )}
                    </time>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </div>
  );
}
