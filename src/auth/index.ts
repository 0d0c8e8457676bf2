/** Auth: accounts, tokens, OIDC and authorization. See each module for the why. */
export * from './authorize.js';
export * from './cookies.js';
export * from './keys.js';
export * from './middleware.js';
export * from './oidc.js';
export * from './passwords.js';
export * from './principal.js';
export * from './refresh.js';
export * from './service.js';
export * from './tokens.js';
