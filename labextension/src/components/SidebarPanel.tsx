import { ToolbarButtonComponent, refreshIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { OpenIClient } from '../api';
import type { ITrans } from '../i18n';
import { CurrentUser } from './CurrentUser';
import { DashboardSection } from './dashboard/DashboardSection';
import { DatasetsSection } from './DatasetsSection';
import { ExploreSection } from './ExploreSection';
import { ImagesSection } from './images/ImagesSection';
import { ModelsSection } from './models/ModelsSection';
import { ProjectsSection, type IProjectActions } from './ProjectsSection';
import { SearchBox } from './search/SearchBox';
import { Section } from './Section';
import { PLACEHOLDER_MESSAGES, SECTIONS, type SectionKey } from './sections';
import { EmptyState } from './status';

export interface ISidebarPanelProps {
  client: OpenIClient;
  trans: ITrans;
  /** Bumped on refresh; every request re-runs when it changes. */
  generation: number;
  /** Open / create projects (commands); absent, the list is read-only. */
  actions?: IProjectActions;
}

/** Props of the whole panel: the sections' props plus the refresh action. */
export interface ISidebarRootProps extends ISidebarPanelProps {
  onRefresh: () => void;
}

function SectionBody(
  props: ISidebarPanelProps & { sectionKey: SectionKey }
): JSX.Element {
  const { sectionKey, trans } = props;
  switch (sectionKey) {
    case 'explore':
      return <ExploreSection {...props} />;
    case 'projects':
      return <ProjectsSection {...props} />;
    case 'dashboard':
      return <DashboardSection {...props} />;
    case 'cloudbrain':
      return <ImagesSection {...props} />;
    case 'models':
      return <ModelsSection {...props} />;
    case 'datasets':
      return (
        <DatasetsSection
          {...props}
          openDataset={props.actions?.openDataset?.bind(props.actions)}
        />
      );
    default:
      return (
        <EmptyState
          title={trans.__('Coming soon')}
          message={trans.__(PLACEHOLDER_MESSAGES[sectionKey] ?? '')}
        />
      );
  }
}

/** Content of the OpenI sidebar: the user, then one section per area. */
export function SidebarPanel(props: ISidebarRootProps): JSX.Element {
  const { onRefresh, ...sectionProps } = props;
  const { trans } = props;
  return (
    <div className="openi-SidebarPanel">
      <header className="openi-SidebarPanel-header">
        <h2 className="openi-SidebarPanel-title">{trans.__('OpenI')}</h2>
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip={trans.__('Refresh')}
          onClick={onRefresh}
        />
      </header>
      <SearchBox trans={trans} />
      <CurrentUser {...sectionProps} />
      {SECTIONS.map(section => (
        <Section
          key={section.key}
          sectionKey={section.key}
          title={trans.__(section.title)}
        >
          <SectionBody {...sectionProps} sectionKey={section.key} />
        </Section>
      ))}
    </div>
  );
}
