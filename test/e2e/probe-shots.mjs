// Temporary: screenshots of the lstm-sentences preset in the Architecture tab and Train Model's trainOn step.
import { inSession, openLabView, runCommand, pick } from './workbench.mjs';
import { screenshot } from '../harness/e2e.mjs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const workspace = await mkdtemp(path.join(os.tmpdir(), 'probe-'));
await inSession('probe', 'light', {}, workspace, async (s) => {
  await s.page.setViewportSize({ width: 1280, height: 900 });
  const frame = await openLabView(s.page);
  const dropdown = frame.locator('vscode-dropdown[data-picker="Model"]');
  await dropdown.click();
  await frame.locator('vscode-option', { hasText: 'LSTM for sentences' }).first().click();
  await frame.locator('text=reviews and every sentence of each').first().waitFor({ timeout: 10_000 });
  await frame.locator('text=reviews and every sentence of each').first().scrollIntoViewIfNeeded();
  console.log(await screenshot(s.page, 'probe-architecture-lstm-sentences'));
  await runCommand(s.page, 'RNN Sentiment Lab: Train Model');
  await pick(s.page, 'LSTM for sentences');
  await s.page.locator('.quick-input-list .monaco-list-row').first().waitFor();
  console.log(await screenshot(s.page, 'probe-train-step2'));
  await pick(s.page, 'Change epochs');
  for (let i = 0; i < 6; i++) {
    await s.page.locator('.quick-input-widget input').waitFor();
    await new Promise((r) => setTimeout(r, 400));
    await s.page.keyboard.press('Enter');
  }
  await s.page.locator('.quick-input-list .monaco-list-row', { hasText: 'reviews-and-sentences' }).first().waitFor({ timeout: 10_000 });
  console.log(await screenshot(s.page, 'probe-train-on-step'));
  await s.page.keyboard.press('Escape');
});
