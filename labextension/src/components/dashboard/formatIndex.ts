/**
 * An OpenI index as every view shows it (two decimals), so the sidebar,
 * the dashboard and the explore pages agree on the same number.
 */
export function formatIndex(index: number): string {
  return index.toFixed(2);
}
