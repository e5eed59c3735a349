/**
 * Two rules of the host without VS Code: the service channel's line framing
 * (byte cap, lines split across chunks, characters split across chunks), and
 * which settings a workspace may set (path settings never; training settings
 * once trusted), held equal to what package.json declares to VS Code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lineSplitter } from '../../src/core/socket-channel';
import { SETTINGS_SECTION, TRUSTED_WORKSPACE_SETTINGS, USER_ONLY_SETTINGS, readSettings, settingGetter, type SettingLayers } from '../../src/lab/settings';
import { REPO_ROOT } from './helpers';

function split(chunks: Buffer[], maxBytes: number): { lines: string[]; overflowed: boolean } {
  const lines: string[] = [];
  let overflowed = false;
  const feed = lineSplitter((l) => lines.push(l), () => (overflowed = true), maxBytes);
  for (const c of chunks) feed(c);
  return { lines, overflowed };
}

test('framing: lines split anywhere, even inside a character, come out whole', () => {
  const text = Buffer.from('{"a":"é€😀"}\n\n{"b":2}\n{"c":');
  const byteByByte = split([...text].map((b) => Buffer.from([b])), 1024);
  assert.deepEqual(byteByByte, { lines: ['{"a":"é€😀"}', '', '{"b":2}'], overflowed: false });
  assert.deepEqual(split([text], 1024), byteByByte);
});

test('framing: a line of exactly the cap passes, one byte more cuts the connection and nothing after it is read', () => {
  assert.deepEqual(split([Buffer.from(`${'x'.repeat(10)}\n`)], 10), { lines: ['x'.repeat(10)], overflowed: false });
  const over = split([Buffer.from('x'.repeat(6)), Buffer.from('x'.repeat(5)), Buffer.from('\n{"late":1}\n')], 10);
  assert.deepEqual(over, { lines: [], overflowed: true });
  // A newline-less flood overflows as soon as it passes the cap, before any newline arrives.
  assert.equal(split([Buffer.alloc(11, 0x61)], 10).overflowed, true);
});

const layers = (values: Record<string, SettingLayers>) => (key: string) => values[key];

test('settings: a workspace never sets the data source, cache or runs folder, trusted or not', () => {
  const inspect = layers({
    runsFolder: { defaultValue: '', globalValue: '/home/me/runs', workspaceValue: '~', workspaceFolderValue: '/' },
    cacheFolder: { defaultValue: '', workspaceValue: '/tmp/theirs' },
    'data.source': { defaultValue: 'official', workspaceValue: '/etc' },
  });
  for (const trusted of [false, true]) {
    const s = readSettings(settingGetter(inspect, trusted), '/storage', '/work/space');
    assert.equal(s.runsDir, '/home/me/runs');
    assert.equal(s.cacheDir, path.join('/storage', 'cache'));
    assert.equal(s.dataSource, 'official');
  }
});

test('settings: training settings from the workspace count only once it is trusted; the user\'s always do', () => {
  const inspect = layers({
    'training.epochs': { defaultValue: null, globalValue: 3, workspaceValue: 1000 },
    'training.numWords': { defaultValue: null, workspaceFolderValue: 1_000_000 },
    backend: { defaultValue: 'auto', workspaceValue: 'cpu' },
  });
  const untrusted = readSettings(settingGetter(inspect, false), '/storage');
  assert.deepEqual(untrusted.overrides, { epochs: 3 });
  assert.equal(untrusted.backend, 'cpu', 'a setting that reads and writes nothing stays the workspace\'s');
  assert.deepEqual(readSettings(settingGetter(inspect, true), '/storage').overrides, { epochs: 1000, numWords: 1_000_000 });
});

test('settings: package.json declares the same rules to VS Code (restricted configurations, limited support)', () => {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
    contributes: { configuration: { properties: Record<string, unknown> } };
  };
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  const prefixed = (keys: readonly string[]) => keys.map((k) => `${SETTINGS_SECTION}.${k}`).sort();
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), prefixed([...USER_ONLY_SETTINGS, ...TRUSTED_WORKSPACE_SETTINGS]));
  const properties = manifest.contributes.configuration.properties;
  for (const key of prefixed([...USER_ONLY_SETTINGS, ...TRUSTED_WORKSPACE_SETTINGS])) assert.ok(properties[key], `${key} is a declared setting`);
});
