/*
The two ES modules the CommonJS bundle loads: meow (published as ES modules only) and the terminal
UI (its own bundle, for Ink's top-level await). Here they are plain import()s. In dist/main.js,
which dist/cli.js runs from V8's code cache (source/launcher.ts), code cannot call import() itself,
so scripts/build.js puts in this module's place one that asks the launcher to import them.
*/
import type * as Meow from 'meow';

export const importMeow = async (): Promise<typeof Meow> => import('meow');

export const importUi = async (): Promise<
	typeof import('./ui/interactive.js')
> => import('./ui/interactive.js');
