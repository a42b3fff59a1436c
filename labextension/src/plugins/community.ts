import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';

import { ApiError } from '../api';
import { CommunityClient } from '../api/community';
import { DashboardWidget } from '../components/dashboard/DashboardPage';
import type { ICommunityEnv } from '../components/explore/context';
import { ExploreWidget } from '../components/explore/ExplorePage';
import { exploreTab } from '../components/explore/exploreTabs';
import { setCommunityNavigation } from '../components/explore/navigation';
import {
  ProjectCommunityWidget,
  projectCommunityWidgetId
} from '../components/explore/ProjectCommunity';
import { PeopleWidget, peopleWidgetId } from '../components/people/PeoplePages';
import { SearchWidget } from '../components/search/SearchPage';
import { createTrans } from '../i18n';
import { openiIcon } from '../icons';
import { CommandIds, PALETTE_CATEGORY } from '../ids';
import { IOpenIClient } from '../tokens';

/** Commands of the community pages. */
export const CommunityCommandIds = {
  search: 'openi:search',
  openExplore: 'openi:open-explore',
  openDashboard: 'openi:open-dashboard',
  openUser: 'openi:open-user',
  openProjectCommunity: 'openi:open-project-activity',
  openOrg: 'openi:open-org'
} as const;

/**
 * Community and discovery (issue #7): the search results page, Explore,
 * the digital dashboard, user and organisation pages — main-area widgets
 * opened from the sidebar's search box, Explore and Dashboard sections.
 */
export const communityPlugin: JupyterFrontEndPlugin<void> = {
  id: 'openi_lab:community',
  description:
    'OpenI community: activity feed, explore, unified search, dashboard.',
  autoStart: true,
  requires: [IOpenIClient],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    client: IOpenIClient,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = createTrans(translator ?? nullTranslator);
    const { commands, shell } = app;
    const env: ICommunityEnv = {
      client,
      community: new CommunityClient(client.serverSettings),
      trans
    };
    const tracker = new WidgetTracker<Widget>({ namespace: 'openi-community' });

    /** Reveals the widget with `id`, or adds the one `create` builds. */
    const reveal = <W extends Widget>(id: string, create: () => W): W => {
      let widget = tracker.find(w => w.id === id) as W | undefined;
      if (!widget) {
        widget = create();
        void tracker.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
      return widget;
    };

    commands.addCommand(CommunityCommandIds.search, {
      label: trans.__('OpenI: Search…'),
      icon: openiIcon,
      execute: args => {
        const q = String(args.q ?? '').trim();
        const type = String(args.type ?? 'all');
        if (!q) {
          return undefined;
        }
        const widget = reveal(
          'openi-search',
          () => new SearchWidget(env, q, type)
        );
        widget.search(q, type);
        return widget;
      }
    });

    commands.addCommand(CommunityCommandIds.openExplore, {
      label: trans.__('OpenI: Explore'),
      icon: openiIcon,
      execute: args => {
        const tab = exploreTab(args.tab);
        const widget = reveal(
          'openi-explore',
          () => new ExploreWidget(env, tab)
        );
        widget.tab = tab;
        return widget;
      }
    });

    commands.addCommand(CommunityCommandIds.openDashboard, {
      label: trans.__('OpenI: Digital dashboard'),
      icon: openiIcon,
      execute: args => {
        const project = args.project ? String(args.project) : undefined;
        const widget = reveal(
          'openi-dashboard',
          () => new DashboardWidget(env, project)
        );
        if (project) {
          widget.project = project;
        }
        return widget;
      }
    });

    commands.addCommand(CommunityCommandIds.openProjectCommunity, {
      label: args =>
        trans.__('Activity and forks of %1', String(args.project ?? '')),
      execute: args => {
        const project = String(args.project ?? '');
        if (!project.includes('/')) {
          return undefined;
        }
        const tab = args.tab === 'forks' ? 'forks' : 'activity';
        const widget = reveal(
          projectCommunityWidgetId(project),
          () => new ProjectCommunityWidget(env, project, tab)
        );
        widget.tab = tab;
        return widget;
      }
    });

    const openPeople = (kind: 'org' | 'user', name: string) =>
      reveal(
        peopleWidgetId(kind, name),
        () => new PeopleWidget(env, kind, name)
      );

    commands.addCommand(CommunityCommandIds.openUser, {
      label: args => trans.__('Open user %1', String(args.username ?? '')),
      execute: args => openPeople('user', String(args.username))
    });

    commands.addCommand(CommunityCommandIds.openOrg, {
      label: args => trans.__('Open organisation %1', String(args.org ?? '')),
      execute: args => openPeople('org', String(args.org))
    });

    setCommunityNavigation({
      openProject: (owner, name, tab) =>
        void commands.execute(CommandIds.openProject, {
          owner,
          name,
          ...(tab ? { tab } : {})
        }),
      openDataset: (project, dataset) =>
        void commands.execute(CommandIds.openDataset, { project, dataset }),
      openUser: username =>
        void commands.execute(CommunityCommandIds.openUser, { username }),
      openOrg: org =>
        void commands.execute(CommunityCommandIds.openOrg, { org }),
      openOwner: name => {
        // An owner is an organisation or a user: ask for the org first.
        client.getOrg(name).then(
          () => void openPeople('org', name),
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 404) {
              openPeople('user', name);
            }
          }
        );
      },
      search: (q, type) =>
        void commands.execute(CommunityCommandIds.search, { q, type }),
      openExplore: tab =>
        void commands.execute(CommunityCommandIds.openExplore, { tab }),
      openProjectCommunity: (project, tab) =>
        void commands.execute(CommunityCommandIds.openProjectCommunity, {
          project,
          tab
        }),
      openDashboard: project =>
        void commands.execute(CommunityCommandIds.openDashboard, { project })
    });

    if (palette) {
      for (const command of [
        CommunityCommandIds.openExplore,
        CommunityCommandIds.openDashboard
      ]) {
        palette.addItem({ command, category: PALETTE_CATEGORY });
      }
    }
  }
};
