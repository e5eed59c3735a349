/**
 * The layer rules of eslint.config.mjs refuse what they are meant to: each
 * case is a small module linted as if it sat at that path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './helpers';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test('layer rules: core without vscode, the host without TensorFlow, the dashboard with the protocol and TensorFlow-free core only', async () => {
  assert.match((await restrictedImports('src/core/presets.ts', "import * as vscode from 'vscode';\nexport const v = vscode.version;\n"))[0] ?? '', /src\/core runs without VS Code/);
  for (const file of ['src/extension.ts', 'src/commands/errors.ts', 'src/dashboard/html.ts']) {
    assert.equal((await restrictedImports(file, "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n")).length, 1, `${file}: TensorFlow`);
    assert.equal((await restrictedImports(file, "import { Jobs } from './core/jobs';\nexport const j = Jobs;\n")).length, 1, `${file}: a module that loads TensorFlow`);
  }
  assert.deepEqual(await restrictedImports('src/commands/errors.ts', "import type { Jobs } from '../core/jobs';\nexport type J = Jobs;\n"), [], 'types are free');
  assert.equal((await restrictedImports('webview/main.ts', "import { listRuns } from '../src/core/runs.js';\nexport const l = listRuns;\n")).length, 1);
  assert.equal((await restrictedImports('webview/main.ts', "import * as fs from 'node:fs';\nexport const f = fs;\n")).length, 1);
  assert.deepEqual(
    await restrictedImports('webview/main.ts', "import { PRESETS } from '../src/core/presets.js';\nimport { RpcEndpoint } from '../src/rpc.js';\nimport type { RunRecord } from '../src/core/runs.js';\nexport const p = [PRESETS, RpcEndpoint];\nexport type R = RunRecord;\n"),
    [],
  );
});
