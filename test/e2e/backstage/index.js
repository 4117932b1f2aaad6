// A minimal real Backstage backend for bsai's end-to-end tests: catalog,
// scaffolder (with the Template entity model), mcp-actions and auth, on the
// new backend system. Plain CommonJS so it runs with `node index.js` and no
// build step. Configuration lives in app-config.yaml next to this file; the
// tests override the port and base URL with APP_CONFIG_backend_* variables.
'use strict';

const { createBackend } = require('@backstage/backend-defaults');

// Each plugin package's default export is its backend feature.
const feature = name => require(name).default;

const backend = createBackend();
backend.add(feature('@backstage/plugin-auth-backend'));
backend.add(feature('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(feature('@backstage/plugin-catalog-backend'));
backend.add(feature('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
backend.add(feature('@backstage/plugin-scaffolder-backend'));
backend.add(feature('@backstage/plugin-mcp-actions-backend'));
backend.start().catch(err => {
  // A failed start must end the process so the test harness sees it at once
  // instead of waiting for a readiness probe that never succeeds.
  console.error('backend failed to start:', err);
  process.exit(1);
});
