// extensionTestsPath for desktop VS Code: runs the bundled integration tests
// (dist-test/integration) with mocha inside the extension host.
const path = require('node:path');
const fs = require('node:fs');
const Mocha = require('mocha');

exports.run = function run() {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 180000 });
  const dir = path.resolve(__dirname, '..', '..', 'dist-test', 'integration');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js'))) mocha.addFile(path.join(dir, file));
  return new Promise((resolve, reject) => mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve())));
};
