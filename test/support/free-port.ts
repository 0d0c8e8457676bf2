/** The tests, the starters' checks and the bench pick ports the way the local runtime does. */
export { freePort } from '../../src/adapters/net/free-port.js';
