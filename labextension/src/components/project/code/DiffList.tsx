import * as React from 'react';

import type { ICellDiff, IFileDiff } from '../../../api';
import { useEnv } from '../env';

/** Class of one line of a unified diff. */
function lineClass(line: string): string {
  if (line.startsWith('@@')) {
    return 'openi-Diff-hunk';
  }
  if (line.startsWith('+')) {
    return 'openi-Diff-add';
  }
  if (line.startsWith('-')) {
    return 'openi-Diff-del';
  }
  return '';
}

/** A unified diff as escaped text (React escapes), +/- coloured. */
export function UnifiedDiff(props: { patch: string }): JSX.Element {
  const lines = props.patch.replace(/\n$/, '').split('\n');
  return (
    <pre className="openi-Diff">
      {lines.map((line, i) => (
        <div key={i} className={lineClass(line)}>
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}

/** Cell-level changes of a notebook. */
function CellDiffs(props: { cells: ICellDiff[] }): JSX.Element {
  const { trans } = useEnv();
  return (
    <div className="openi-CellDiffs" data-testid="openi-cell-diffs">
      {props.cells.map((cell, i) => (
        <div key={i} className="openi-CellDiff">
          <div className="openi-CellDiff-head">
            <span className="openi-Badge">{cell.kind}</span>
            {cell.cell_type && (
              <span className="openi-muted">
                {trans.__('%1 cell', cell.cell_type)}
              </span>
            )}
          </div>
          {cell.source_diff && <UnifiedDiff patch={cell.source_diff} />}
        </div>
      ))}
    </div>
  );
}

/** Changed files with their diffs (a commit, a pull request). */
export function DiffList(props: { files: IFileDiff[] }): JSX.Element {
  const { trans } = useEnv();
  if (props.files.length === 0) {
    return <div className="openi-EmptyState">{trans.__('No changes.')}</div>;
  }
  return (
    <div className="openi-DiffList" data-testid="openi-diff-list">
      {props.files.map(file => (
        <section key={file.path} className="openi-DiffFile">
          <header className="openi-DiffFile-head">
            <span className="openi-Badge">{file.status}</span>
            <span className="openi-mono">
              {file.old_path && file.old_path !== file.path
                ? `${file.old_path} → ${file.path}`
                : file.path}
            </span>
            <span className="openi-Diff-add">+{file.additions}</span>
            <span className="openi-Diff-del">−{file.deletions}</span>
          </header>
          {file.cells && file.cells.length > 0 ? (
            <CellDiffs cells={file.cells} />
          ) : file.patch ? (
            <UnifiedDiff patch={file.patch} />
          ) : (
            <div className="openi-muted">
              {file.binary
                ? trans.__('Binary file changed.')
                : trans.__('Diff too large to show.')}
            </div>
          )}
        </section>
      ))}
    </div>
  );
}
