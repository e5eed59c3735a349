// Lint: typescript-eslint's recommended type-checked rules everywhere, and the
// layer rules that keep each part of the extension to what it may load.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Modules of src/core that load TensorFlow.js (directly or through each other). */
const TENSORFLOW_MODULES = ['@tensorflow/*', '**/core/backend', '**/core/jobs', '**/core/model', '**/core/training', '**/core/predictor', '**/core/wasm-kernels', '**/core/fused/*', '**/worker/*'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.cache/**', '.tools/**', 'test-results/**', 'src/core/fused/assembly/**', 'test/fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused arguments that document a signature start with "_".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A disable comment says why on the same line: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
    },
  },
  {
    // node:test's test/describe/it return promises the runner itself awaits.
    files: ['test/**/*.ts', 'test/**/*.mjs'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
    },
  },
  {
    // Plain JavaScript (scripts, harnesses): the untyped rules, with Node's and the browser's globals.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // CommonJS on purpose: VS Code and mocha load these with require().
    files: ['test/harness/runner-extension/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Functions handed to Playwright's page.evaluate run in the page.
    files: ['test/e2e/**', 'test/harness/**', 'scripts/bench-extension.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // ------------------------------------------------------------ layers
  {
    // The core runs without VS Code (the CLI, the service, the worker thread, the tests).
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core runs without VS Code.' }] }],
    },
  },
  {
    // Activation and what it loads must not load TensorFlow: the worker thread does.
    files: ['src/extension.ts', 'src/commands/**/*.ts', 'src/dashboard/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: TENSORFLOW_MODULES, allowTypeImports: true, message: 'The extension host never loads TensorFlow: ask the worker thread (through the Lab).' }] }],
    },
  },
  {
    // The dashboard runs in a browser: of src/ it may load only the protocol, the RPC and TensorFlow-free core modules (types of the rest).
    files: ['webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/src/(?!(protocol|rpc|core/presets|core/preset-names|core/architecture|core/errors|core/format|core/verdict|core/metrics|core/reliability|core/run-dataset|core/document/table)(\\.js)?$)',
              allowTypeImports: true,
              message: 'The dashboard loads only src/protocol.ts, src/rpc.ts and TensorFlow-free core modules (presets, architecture, errors, format, verdict, metrics, reliability, run-dataset, document/table).',
            },
            { group: ['@tensorflow/*', 'vscode', 'node:*'], message: 'The dashboard runs in the webview: no TensorFlow, VS Code or Node modules.' },
          ],
        },
      ],
    },
  },
);
