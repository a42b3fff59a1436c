/**
 * The sidebar's sections, in display order. Keys are stable (tests select
 * `openi-section-<key>`); titles are msgids translated at render time.
 */
export const SECTIONS = [
  { key: 'explore', title: 'Explore' },
  { key: 'projects', title: 'Projects' },
  { key: 'datasets', title: 'Datasets' },
  { key: 'cloudbrain', title: 'Cloud brain' },
  { key: 'models', title: 'Models' },
  { key: 'dashboard', title: 'Dashboard' }
] as const;

export type SectionKey = (typeof SECTIONS)[number]['key'];

/** Sections not built yet, with what will appear there (msgids). */
export const PLACEHOLDER_MESSAGES: Partial<Record<SectionKey, string>> = {
  cloudbrain:
    'Your cloud brain debugging, training and inference tasks will appear here.'
};
