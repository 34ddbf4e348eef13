export * from './identity.ts';
export * from './catalog.ts';
export * from './notifications.ts';
export * from './learning.ts';
export * from './assessments.ts';
export * from './search.ts';
export * from './payments.ts';
export * from './games.ts';
