import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  ISanitizer,
  InputDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { IMarkdownParser, type IRenderMime } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import type { IPickerRow } from '../api';
import type { IOpenIEnv } from '../components/project/env';
import {
  ProjectWidget,
  projectWidgetId
} from '../components/project/ProjectWidget';
import { showNewProjectDialog } from '../components/newProjectDialog';
import { UploadManager } from '../datasets/uploads';
import { createTrans } from '../i18n';
import { openiIcon } from '../icons';
import { CommandIds, PALETTE_CATEGORY } from '../ids';
import { IOpenIClient, IOpenISidebar } from '../tokens';
import { registerDatasetCommands } from './datasets';

/** `owner/name` → its parts, or undefined when malformed. */
export function parseFullName(
  text: string
): { owner: string; name: string } | undefined {
  const match = /^\s*([^/\s]+)\/([^/\s]+?)(?:\.git)?\s*$/.exec(text);
  return match ? { owner: match[1], name: match[2] } : undefined;
}

/** Project views (项目) in the main area, and their commands. */
export const projectsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:projects',
  description:
    'OpenI project views: code, issues, pull requests, datasets, settings.',
  autoStart: true,
  requires: [IOpenIClient],
  optional: [
    ITranslator,
    ICommandPalette,
    IEditorServices,
    ISanitizer,
    IMarkdownParser,
    IOpenISidebar
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    editorServices: IEditorServices | null,
    sanitizer: IRenderMime.ISanitizer | null,
    markdownParser: IRenderMime.IMarkdownParser | null,
    sidebar: IOpenISidebar | null
  ): void => {
    const trans = createTrans(translator ?? nullTranslator);
    const { commands, shell } = app;
    const tracker = new WidgetTracker<ProjectWidget>({
      namespace: 'openi-project'
    });

    const openProject = (owner: string, name: string): ProjectWidget => {
      const id = projectWidgetId(owner, name);
      let widget = tracker.find(w => w.id === id);
      if (!widget) {
        widget = new ProjectWidget(env, owner, name);
        void tracker.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
      return widget;
    };

    const env: IOpenIEnv = {
      client,
      trans,
      editorServices,
      sanitizer,
      markdownParser,
      openFolder: path => {
        void commands
          .execute('filebrowser:go-to-path', { path: `/${path}` })
          .catch(() => undefined);
      },
      openProject: (owner, name) => void openProject(owner, name),
      uploads: new UploadManager(client.datasets),
      openDataset: (project, dataset) =>
        void datasets.openDataset(project, dataset),
      pickDataset: async project =>
        (await commands.execute(CommandIds.pickDataset, { project })) as
          IPickerRow | undefined,
      openProjectCommunity: (project, tab) =>
        void commands
          .execute('openi:open-project-activity', { project, tab })
          .catch(() => undefined)
    };
    const datasets = registerDatasetCommands(app, env, palette, () => {
      const current = tracker.currentWidget;
      return current ? `${current.owner}/${current.name}` : undefined;
    });

    commands.addCommand(CommandIds.openProject, {
      label: args =>
        args.owner
          ? trans.__(
              'Open project %1/%2',
              String(args.owner),
              String(args.name)
            )
          : trans.__('OpenI: Open project…'),
      icon: args => (args.owner ? undefined : openiIcon),
      execute: async args => {
        let owner = args.owner as string | undefined;
        let name = args.name as string | undefined;
        if (!owner || !name) {
          const answer = await InputDialog.getText({
            title: trans.__('Open project'),
            label: trans.__('Project (owner/name)'),
            placeholder: 'OpenI/aiforge'
          });
          const parsed = answer.value ? parseFullName(answer.value) : undefined;
          if (!parsed) {
            return;
          }
          ({ owner, name } = parsed);
        }
        const widget = openProject(owner, name);
        if (typeof args.tab === 'string') {
          widget.showTab(args.tab);
        }
        return widget;
      }
    });

    commands.addCommand(CommandIds.newProject, {
      label: trans.__('OpenI: New project…'),
      icon: openiIcon,
      execute: async () => {
        const project = await showNewProjectDialog(client, trans);
        if (project) {
          sidebar?.refresh();
          openProject(project.owner, project.name);
        }
      }
    });

    if (palette) {
      palette.addItem({
        command: CommandIds.openProject,
        category: PALETTE_CATEGORY
      });
      palette.addItem({
        command: CommandIds.newProject,
        category: PALETTE_CATEGORY
      });
    }
  }
};
