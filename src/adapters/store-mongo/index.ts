/** The MongoDB Store adapter. */
export { createIndexes, openMongoStore } from './open-mongo-store.js';
export type { MongoStoreOptions } from './open-mongo-store.js';
