import * as React from 'react';

import { AsyncView } from './AsyncView';
import { formatSize } from './code/size';
import { useEnv, useProject } from './env';
import { Markdown } from './issues/Markdown';
import { useAsync } from './useAsync';

/** Releases (版本发布) with notes, assets and source archives. */
export function ReleasesTab(): JSX.Element {
  const { trans } = useEnv();
  const { repo } = useProject();
  const releases = useAsync(() => repo.releases(), repo.fullName);
  return (
    <div className="openi-ReleasesTab" data-testid="openi-releases-tab">
      <AsyncView state={releases}>
        {data =>
          data.length === 0 ? (
            <div className="openi-EmptyState" data-testid="openi-empty">
              {trans.__('No releases yet.')}
            </div>
          ) : (
            <ul className="openi-List">
              {data.map(r => (
                <li key={r.id} className="openi-ListItem openi-Release">
                  <div className="openi-ListItem-title">
                    <span className="openi-ListItem-name">
                      {r.title || r.tag}
                    </span>
                    <span className="openi-Badge openi-mono">{r.tag}</span>
                  </div>
                  <div className="openi-ListItem-meta">
                    {r.author && <span>{r.author.username}</span>}
                    <time dateTime={r.created_at}>
                      {trans.relativeTime(r.created_at)}
                    </time>
                  </div>
                  {r.notes && <Markdown source={r.notes} />}
                  <ul className="openi-Assets">
                    {r.assets.map(a => (
                      <li key={a.name}>
                        <a href={a.download_url} download>
                          {a.name}
                        </a>{' '}
                        <span className="openi-muted">
                          {formatSize(a.size)}
                        </span>
                      </li>
                    ))}
                    {(['zip', 'tar.gz'] as const).map(format => (
                      <li key={format}>
                        <a href={repo.archiveUrl(r.tag, format)} download>
                          {trans.__('Source code (%1)', format)}
                        </a>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </div>
  );
}
