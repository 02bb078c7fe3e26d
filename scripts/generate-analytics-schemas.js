// Writes avro/<collection>/{key,value}.avsc of every analytics collection from the column catalog
// (src/collections/analytics-schema.ts). test/unit/collections/analytics-columns.test.ts fails until they agree.
require('@swc-node/register');
const fs = require('node:fs');
const path = require('node:path');

const {COLLECTIONS} = require('../src/collections/registry');
const {renderAnalyticsSchemas} = require('../src/collections/analytics-schema');

const avro = path.resolve(__dirname, '..', 'avro');
for (const declaration of COLLECTIONS.filter((c) => c.kind === 'analytics')) {
  const texts = renderAnalyticsSchemas(declaration);
  fs.mkdirSync(path.join(avro, declaration.name), {recursive: true});
  fs.writeFileSync(path.join(avro, declaration.schemas.key), texts.key);
  fs.writeFileSync(path.join(avro, declaration.schemas.value), texts.value);
  process.stdout.write(`wrote avro/${declaration.schemas.key}, avro/${declaration.schemas.value}\n`);
}
