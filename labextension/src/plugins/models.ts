import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISanitizer, WidgetTracker } from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { IMarkdownParser, type IRenderMime } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { IPickerRow } from '../api';
import { setModelNavigation } from '../components/models/navigation';
import {
  commitWidget,
  ScopedWidget,
  scopedWidgetId,
  taskWidget,
  versionWidget
} from '../components/models/widgets';
import type { IOpenIEnv } from '../components/project/env';
import { UploadManager } from '../datasets/uploads';
import { createTrans } from '../i18n';
import { CommandIds } from '../ids';
import { IOpenIClient } from '../tokens';

/** Opens a model version page: `{project, model, version}`. */
export const OPEN_MODEL_VERSION = 'openi:open-model-version';

/**
 * Model registry (模型管理) pages in the main area: a model version, and the
 * task and commit pages its lineage links to.
 */
export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:models',
  description: 'OpenI model registry: version pages, lineage links.',
  autoStart: true,
  requires: [IOpenIClient],
  optional: [ITranslator, IEditorServices, ISanitizer, IMarkdownParser],
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    translator: ITranslator | null,
    editorServices: IEditorServices | null,
    sanitizer: IRenderMime.ISanitizer | null,
    markdownParser: IRenderMime.IMarkdownParser | null
  ): void => {
    const trans = createTrans(translator ?? nullTranslator);
    const { commands, shell } = app;
    const tracker = new WidgetTracker<ScopedWidget>({
      namespace: 'openi-models'
    });
    const env: IOpenIEnv = {
      client,
      trans,
      editorServices,
      sanitizer,
      markdownParser,
      openFolder: path =>
        void commands
          .execute('filebrowser:go-to-path', { path: `/${path}` })
          .catch(() => undefined),
      openProject: (owner, name) =>
        void commands.execute(CommandIds.openProject, { owner, name }),
      // Model pages never upload; no stored uploads are picked up here.
      uploads: new UploadManager(client.datasets, null),
      openDataset: (project, dataset) =>
        void commands.execute(CommandIds.openDataset, { project, dataset }),
      pickDataset: async project =>
        (await commands.execute(CommandIds.pickDataset, { project })) as
          IPickerRow | undefined
    };

    /** Reveals the widget of `id`, creating it with `make` the first time. */
    const show = (id: string, make: () => ScopedWidget): void => {
      let widget = tracker.find(w => w.id === id);
      if (!widget) {
        widget = make();
        void tracker.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
    };

    setModelNavigation({
      openVersion: (project, model, version) =>
        show(scopedWidgetId('model', project, model, version), () =>
          versionWidget(env, project, model, version)
        ),
      openTask: (project, id) =>
        show(scopedWidgetId('task', project, id), () =>
          taskWidget(env, project, id)
        ),
      openCommit: (project, sha) =>
        show(scopedWidgetId('commit', project, sha), () =>
          commitWidget(env, project, sha)
        ),
      openDataset: env.openDataset
    });

    commands.addCommand(OPEN_MODEL_VERSION, {
      label: args =>
        trans.__(
          'Open model %1@%2',
          String(args.model ?? ''),
          String(args.version ?? '')
        ),
      execute: args => {
        const { project, model, version } = args as Record<string, string>;
        if (project && model && version) {
          show(scopedWidgetId('model', project, model, version), () =>
            versionWidget(env, project, model, version)
          );
        }
      }
    });
  }
};
