/** Open Dashboard: the dashboard as an editor panel, beside the side-panel view. */
import { DashboardPanel } from '../dashboard/panel';
import type { CommandContext } from './context';

export function openDashboard(ctx: CommandContext): void {
  DashboardPanel.show(ctx.extensionUri, ctx.lab);
}
