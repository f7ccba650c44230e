/*
The two modules the CommonJS bundle loads apart: meow (published as ES modules only) and the
terminal UI (its own bundle, dist/ui.js, loaded only in a terminal). Here they are plain import()s.
In dist/main.js, which dist/cli.js runs from V8's code cache (source/launcher.ts), code cannot call
import() itself, so scripts/build.js puts in this module's place one that asks the launcher: meow
through the launcher's import(), the UI through its loader, from the UI's own code cache.
*/
import type * as Meow from 'meow';

export const importMeow = async (): Promise<typeof Meow> => import('meow');

export const importUi = async (): Promise<
	typeof import('./ui/interactive.js')
> => import('./ui/interactive.js');
