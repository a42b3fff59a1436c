import { fileIcon, folderIcon, linkIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { ITreeEntry } from '../../../api';
import { AsyncView } from '../AsyncView';
import { useEnv, useProject } from '../env';
import { useAsync } from '../useAsync';
import { LatestCommit } from './LatestCommit';
import { formatSize } from './size';

/** Directories first, then by name. */
function sortEntries(entries: ITreeEntry[]): ITreeEntry[] {
  return [...entries].sort((a, b) =>
    (a.type === 'dir') === (b.type === 'dir')
      ? a.name.localeCompare(b.name)
      : a.type === 'dir'
        ? -1
        : 1
  );
}

/** A directory at a ref, with its latest commit above it. */
export function TreeListing(props: {
  gitRef: string;
  path: string;
  onOpen: (entry: ITreeEntry) => void;
  onCommit: (sha: string) => void;
}): JSX.Element {
  const { gitRef, path, onOpen, onCommit } = props;
  const { trans } = useEnv();
  const { repo } = useProject();
  const tree = useAsync(() => repo.tree(gitRef, path), `${gitRef}:${path}`);
  return (
    <div className="openi-Tree">
      <LatestCommit gitRef={gitRef} path={path} onCommit={onCommit} />
      <AsyncView state={tree}>
        {data =>
          data.entries.length === 0 ? (
            <div className="openi-EmptyState">
              {trans.__('This directory is empty.')}
            </div>
          ) : (
            <ul className="openi-Tree-list" data-testid="openi-tree">
              {sortEntries(data.entries).map(entry => {
                const Icon =
                  entry.type === 'dir'
                    ? folderIcon
                    : entry.type === 'file'
                      ? fileIcon
                      : linkIcon;
                const openable = entry.type === 'dir' || entry.type === 'file';
                return (
                  <li key={entry.path} className="openi-Tree-entry">
                    <Icon.react tag="span" className="openi-Tree-icon" />
                    {openable ? (
                      <button
                        type="button"
                        className="openi-LinkButton openi-Tree-name"
                        data-testid="openi-tree-entry"
                        onClick={() => onOpen(entry)}
                      >
                        {entry.name}
                      </button>
                    ) : (
                      <span className="openi-Tree-name">
                        {entry.name}
                        {entry.target ? ` → ${entry.target}` : ''}
                      </span>
                    )}
                    <span className="openi-muted">
                      {entry.type === 'file' && entry.size !== null
                        ? formatSize(entry.size)
                        : ''}
                    </span>
                  </li>
                );
              })}
            </ul>
          )
        }
      </AsyncView>
    </div>
  );
}
