import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module `name` (without its extension) beside `here`, the caller's
 * import.meta.url: the built `.js`, or under tsx (tests, benches) the `.ts` source, since a thread
 * does not inherit tsx's loader and registers it before it loads the module. The built module
 * runs without the process's Node options, which need not suit a thread (`--input-type` fails one).
 */
export function startModuleWorker(here: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), { execArgv: [], ...options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const module = new URL(`./${name}.ts`, here).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module)}); })`, { ...options, eval: true });
}
