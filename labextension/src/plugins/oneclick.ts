import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Notification,
  ToolbarButton,
  WidgetTracker
} from '@jupyterlab/apputils';
import type { DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';

import { errorMessage, type IPickerRow, type ITask } from '../api';
import { OneClickApi } from '../components/oneclick/api';
import { showRunDialog } from '../components/oneclick/runDialog';
import { TaskWidget, taskWidgetId } from '../components/oneclick/TaskWidget';
import { canWrite } from '../components/datasets/DatasetPage';
import type { IOpenIEnv } from '../components/project/env';
import { UploadManager } from '../datasets/uploads';
import { createTrans, type ITrans } from '../i18n';
import { openiIcon } from '../icons';
import { CommandIds } from '../ids';
import { IOpenIClient } from '../tokens';

/** `openi:run-as-task {path}`: the dialog for the notebook at `path`. */
export const RUN_AS_TASK = 'openi:run-as-task';

type NotebookContext = DocumentRegistry.IContext<DocumentRegistry.IModel>;

/**
 * "Run as training task" (作为训练任务运行): a button on every notebook's
 * toolbar. A notebook in a clone of a project here runs from that project
 * (committed and pushed first if the user wants); any other notebook runs
 * as a snapshot in a project the user picks. The task's page opens next.
 */
export const oneClickPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:oneclick',
  description: 'Run a notebook as a cloud-brain training task in one click.',
  autoStart: true,
  requires: [IOpenIClient],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    translator: ITranslator | null
  ): void => {
    const trans = createTrans(translator ?? nullTranslator);
    const { commands, shell } = app;
    const api = new OneClickApi(client.serverSettings);
    const tracker = new WidgetTracker<TaskWidget>({ namespace: 'openi-task' });
    const pickDataset = async (
      project: string
    ): Promise<IPickerRow | undefined> =>
      (await commands.execute(CommandIds.pickDataset, { project })) as
        IPickerRow | undefined;
    const env: IOpenIEnv = {
      client,
      trans,
      editorServices: null,
      sanitizer: null,
      markdownParser: null,
      openFolder: path =>
        void commands
          .execute('filebrowser:go-to-path', { path: `/${path}` })
          .catch(() => undefined),
      openProject: (owner, name) =>
        void commands.execute(CommandIds.openProject, { owner, name }),
      uploads: new UploadManager(client.datasets),
      openDataset: (project, dataset) =>
        void commands.execute(CommandIds.openDataset, { project, dataset }),
      pickDataset
    };

    const openTask = (project: string, task: ITask): void => {
      const id = taskWidgetId(project, task.id);
      let widget = tracker.find(w => w.id === id);
      if (!widget) {
        widget = new TaskWidget(env, project, task.id, task.name);
        void tracker.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
    };

    const run = async (context: NotebookContext): Promise<void> => {
      if (context.model.dirty) {
        await context.save();
      }
      const [origin, last, specs, projects] = await Promise.all([
        api.origin(context.path),
        api.lastTask().catch(() => null),
        client.tasks.specs(),
        client
          .listProjects({ per_page: 100 })
          .then(page =>
            page.items.filter(p => canWrite(p.role)).map(p => p.full_name)
          )
          .catch(() => [] as string[])
      ]);
      const created = await showRunDialog({
        client,
        api,
        trans,
        run: {
          path: context.path,
          origin,
          last,
          specs,
          projects,
          content: () => context.model.toJSON()
        },
        pickDataset
      });
      if (created) {
        openTask(created.project, created.task);
      }
    };

    const contexts = new Map<string, NotebookContext>();
    commands.addCommand(RUN_AS_TASK, {
      label: trans.__('Run as training task'),
      caption: trans.__('Run this notebook as a cloud-brain training task'),
      icon: openiIcon,
      execute: async args => {
        const context = contexts.get(String(args.path ?? ''));
        if (!context) {
          return;
        }
        try {
          await run(context);
        } catch (reason) {
          Notification.error(errorMessage(reason), { autoClose: 10000 });
        }
      }
    });

    app.docRegistry.addWidgetExtension(
      'Notebook',
      new RunButtonExtension(trans, contexts, path =>
        commands.execute(RUN_AS_TASK, { path })
      )
    );
  }
};

/** Adds the button to each notebook panel's toolbar. */
class RunButtonExtension implements DocumentRegistry.IWidgetExtension<
  DocumentWidget,
  DocumentRegistry.IModel
> {
  constructor(
    private readonly _trans: ITrans,
    private readonly _contexts: Map<string, NotebookContext>,
    private readonly _run: (path: string) => Promise<unknown>
  ) {}

  createNew(panel: DocumentWidget, context: NotebookContext): IDisposable {
    const button = new ToolbarButton({
      icon: openiIcon,
      label: this._trans.__('Run as training task'),
      tooltip: this._trans.__(
        'Run this notebook as a cloud-brain training task'
      ),
      onClick: () => {
        this._contexts.set(context.path, context);
        void this._run(context.path);
      }
    });
    button.node.dataset.testid = 'openi-run-as-task';
    panel.toolbar.insertItem(10, 'openi-run-as-task', button);
    return button;
  }
}
