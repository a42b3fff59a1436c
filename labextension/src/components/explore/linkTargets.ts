import type { LinkKind } from '../../api/communityTypes';
import type { ICommunityNavigation } from './navigation';

/**
 * Opens the target of an event link or a search hit. Refs follow the
 * contract: `user`, `org`, `owner/name`, `owner/name#12`, `owner/name@tag`,
 * `owner/name:branch`, `owner/name/dataset`, `owner/name/tasks/<kind>/<t>`,
 * `owner/name/models/<m>`. Issues, pull requests, releases, branches, tasks
 * and models open their project on the matching tab.
 */
export function openRef(
  nav: ICommunityNavigation,
  kind: LinkKind | string,
  ref: string
): void {
  switch (kind) {
    case 'user':
    case 'users':
      nav.openUser(ref);
      return;
    case 'org':
    case 'orgs':
      nav.openOrg(ref);
      return;
    case 'dataset':
    case 'datasets':
    case 'dataset_files': {
      const [owner, name, dataset] = ref.split('/');
      if (dataset) {
        nav.openDataset(`${owner}/${name}`, dataset);
      } else {
        nav.openProject(owner, name);
      }
      return;
    }
    default: {
      const project = projectOfRef(ref);
      if (project) {
        nav.openProject(project[0], project[1], tabOfRef(kind, ref));
      } else {
        nav.openOwner(ref);
      }
    }
  }
}

/** The `[owner, name]` a ref belongs to, or undefined for a bare name. */
export function projectOfRef(ref: string): [string, string] | undefined {
  const match = /^([^/#@:]+)\/([^/#@:]+)/.exec(ref);
  return match ? [match[1], match[2]] : undefined;
}

/** The project tab a link or search hit belongs on (undefined: the code tab). */
export function tabOfRef(kind: string, ref: string): string | undefined {
  const byKind: Record<string, string> = {
    issue: 'issues',
    issues: 'issues',
    pull: 'pulls',
    pulls: 'pulls',
    release: 'releases',
    releases: 'releases',
    branch: 'branches',
    task: 'cloudbrain',
    tasks: 'cloudbrain',
    model: 'models',
    models: 'models',
    milestone: 'issues',
    milestones: 'issues'
  };
  if (byKind[kind]) {
    return byKind[kind];
  }
  if (/\/tasks\//.test(ref)) {
    return 'cloudbrain';
  }
  if (/\/models\//.test(ref)) {
    return 'models';
  }
  return undefined;
}
