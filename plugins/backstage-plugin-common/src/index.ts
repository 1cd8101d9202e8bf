export * from './types';
export * from './entity';
export * from './issue-query';
export * from './client';
export * from './config';
