export * from './identity.ts';
export * from './catalog.ts';
export * from './notifications.ts';
export * from './learning.ts';
export * from './assessments.ts';
export * from './consent.ts';
