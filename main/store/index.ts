// The experiment store's surface: open, migrate, write and query. Callers import from here.
export { openStore, type OpenStoreOptions, type Store } from './db';
export { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from './migrations';
export * from './experiments';
export * from './runs';
export * from './run-record';
export * from './datasets';
export * from './artifacts';
export * from './metric-writer';
export * from './metric-queries';
export * from './pareto';
export * from './csv';
export * from './changes';
export * from './fleet-runs';
export * from './sweeps';
