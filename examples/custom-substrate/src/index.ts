export * from './heat-grid';
export * from './heat-plugin';
