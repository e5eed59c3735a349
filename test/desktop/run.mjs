// `npm run test:desktop`: the same integration suite in desktop VS Code
// (Electron), downloaded by @vscode/test-electron. For machines that can
// reach VS Code's download servers; where they cannot, `npm test` runs the
// suite in code-server's VS Code instead (test/harness/integration.mjs).
import { runTests } from '@vscode/test-electron';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'test', 'desktop', 'suite.cjs'),
    launchArgs: [path.join(root, 'test', 'fixtures', 'workspace'), '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`Desktop integration tests failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
