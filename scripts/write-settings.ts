// Rewrites package.json's `rnnSentimentLab.training.*` settings from the
// hyperparameters' schema (src/core/presets.ts), in place of the old ones,
// and the settings a workspace may not set until trusted (src/lab/settings.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { restrictedConfigurations, trainingSettingsContribution } from '../src/lab/settings';

// Records keep the keys in their order, so the file changes only where the settings do.
const object = z.record(z.unknown());
const file = path.join(__dirname, '..', 'package.json');
const manifest = object.parse(JSON.parse(readFileSync(file, 'utf8')));
const contributes = object.parse(manifest.contributes);
const configuration = object.parse(contributes.configuration);
const derived = trainingSettingsContribution();
const kept = Object.entries(object.parse(configuration.properties)).filter(([key]) => !key.startsWith('rnnSentimentLab.training.'));
configuration.properties = Object.fromEntries([...kept, ...Object.entries(derived)]);
contributes.configuration = configuration;
manifest.contributes = contributes;
const capabilities = object.parse(manifest.capabilities);
const untrusted = object.parse(capabilities.untrustedWorkspaces);
untrusted.restrictedConfigurations = restrictedConfigurations();
capabilities.untrustedWorkspaces = untrusted;
manifest.capabilities = capabilities;
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package.json: ${Object.keys(derived).length} settings written from the schema.`);
