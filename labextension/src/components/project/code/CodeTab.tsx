import * as React from 'react';

import { useEnv, useProject } from '../env';
import { Breadcrumb } from './Breadcrumb';
import { CommitHistory } from './CommitHistory';
import { CommitView } from './CommitView';
import { FileView } from './FileView';
import { ReadmeView } from './ReadmeView';
import { RefSelector } from './RefSelector';
import { TreeListing } from './TreeListing';

/** Where the Code tab is: a directory, a file, the history or a commit. */
type CodeView =
  | { kind: 'tree'; path: string }
  | { kind: 'file'; path: string }
  | { kind: 'history'; path: string }
  | { kind: 'commit'; sha: string };

/** Code (代码): browse the repository at a branch or tag. */
export function CodeTab(): JSX.Element {
  const { trans } = useEnv();
  const { project } = useProject();
  const [ref, setRef] = React.useState(project.default_branch ?? 'main');
  const [view, setView] = React.useState<CodeView>({ kind: 'tree', path: '' });
  const path = view.kind === 'commit' ? '' : view.path;

  const body = (): React.ReactNode => {
    switch (view.kind) {
      case 'tree':
        return (
          <>
            <TreeListing
              gitRef={ref}
              path={view.path}
              onOpen={entry =>
                setView({
                  kind: entry.type === 'dir' ? 'tree' : 'file',
                  path: entry.path
                })
              }
              onCommit={sha => setView({ kind: 'commit', sha })}
            />
            {view.path === '' && <ReadmeView gitRef={ref} />}
          </>
        );
      case 'file':
        return <FileView gitRef={ref} path={view.path} />;
      case 'history':
        return (
          <CommitHistory
            gitRef={ref}
            path={view.path}
            onCommit={sha => setView({ kind: 'commit', sha })}
          />
        );
      case 'commit':
        return <CommitView sha={view.sha} />;
    }
  };

  return (
    <div className="openi-CodeTab" data-testid="openi-code-tab">
      <div className="openi-Toolbar">
        <RefSelector
          value={ref}
          onChange={r => {
            setRef(r);
            setView({ kind: 'tree', path: '' });
          }}
        />
        <Breadcrumb
          path={path}
          onNavigate={p => setView({ kind: 'tree', path: p })}
        />
        <span className="openi-Toolbar-spacer" />
        {view.kind !== 'history' && view.kind !== 'commit' && (
          <button
            type="button"
            className="openi-Button"
            data-testid="openi-history"
            onClick={() => setView({ kind: 'history', path })}
          >
            {trans.__('History')}
          </button>
        )}
      </div>
      {body()}
    </div>
  );
}
