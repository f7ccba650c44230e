import fs from 'node:fs';
import path from 'node:path';

/** Symbolic links followed at most this many times, as the kernel's ELOOP limit does. */
const MAX_LINKS = 40;

/**
The file a path really names, symbolic links resolved, also when the file does not exist yet (a
dangling link, or a folder reached through a link). pi locks this path (docs/pi-compat.md: two
symlinked aliases of auth.json share one lock), and writes go to it so a symlink stays a symlink.
*/
export const realTarget = (file: string): string => {
	let current = path.resolve(file);
	for (let hops = 0; hops < MAX_LINKS; hops++) {
		try {
			return fs.realpathSync(current);
		} catch {
			// Missing: follow a dangling link by hand, else resolve the folder and keep the name.
		}

		let link: string;
		try {
			link = fs.readlinkSync(current);
		} catch {
			const folder = path.dirname(current);
			if (folder === current) return current;
			return path.join(realTarget(folder), path.basename(current));
		}

		current = path.resolve(path.dirname(current), link);
	}

	return current;
};
