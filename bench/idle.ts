/*
The live panel left alone: CPU time (user + system, from /proc/<pid>/stat) over the idle window as
a % of one core, resident memory at its end and at its peak (/proc/<pid>/status), and how many
times it wrote to the terminal. The window starts once the first usage answers are drawn, so the
start-up work is not counted as idle.
*/
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {performance} from 'node:perf_hooks';
import {setTimeout as sleep} from 'node:timers/promises';
import {spawnInPty} from './children.js';

export type IdleResult = {
	seconds: number;
	cpuPercent: number;
	userMs: number;
	systemMs: number;
	rssMb: number;
	peakMb: number | undefined;
	writes: number;
	frames: number;
	usageRequests: number;
};

const ticksPerSecond = (() => {
	try {
		return (
			Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'})) || 100
		);
	} catch {
		return 100;
	}
})();

/** utime and stime (fields 14 and 15), counted after the `(comm)` field, which may hold spaces. */
const cpuTicks = (pid: number) => {
	const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return {user: Number(fields[11]), system: Number(fields[12])};
};

const memoryMb = (pid: number, field: 'VmRSS' | 'VmHWM') => {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
	return match ? Number(match[1]) / 1024 : undefined;
};

export const measureIdle = async (options: {
	args: readonly string[];
	env: NodeJS.ProcessEnv;
	firstText: string;
	idleMs: number;
	/** Usage requests the fakes have answered so far (all three endpoints). */
	usageRequests: () => number;
	providers: number;
}): Promise<IdleResult> => {
	const before = options.usageRequests();
	const panel = spawnInPty(options.args, options.env, options.firstText);
	try {
		await panel.firstShown;
		// Start-up is over once every provider's first usage answer has been drawn.
		const deadline = performance.now() + 10_000;
		while (options.usageRequests() - before < options.providers) {
			if (performance.now() > deadline) {
				throw new Error(
					`The panel did not fetch usage for ${options.providers} providers within 10 s. The screen was:\n${panel.screen()}`,
				);
			}

			await sleep(50);
		}

		await sleep(1500);
		const startCounts = panel.counts();
		const startTicks = cpuTicks(panel.pid);
		const startRequests = options.usageRequests();
		const startedAt = performance.now();
		await sleep(options.idleMs);
		const endTicks = cpuTicks(panel.pid);
		const seconds = (performance.now() - startedAt) / 1000;
		const endCounts = panel.counts();
		const userMs = ((endTicks.user - startTicks.user) * 1000) / ticksPerSecond;
		const systemMs =
			((endTicks.system - startTicks.system) * 1000) / ticksPerSecond;
		return {
			seconds,
			cpuPercent: ((userMs + systemMs) / 10 / seconds) as number,
			userMs,
			systemMs,
			rssMb: memoryMb(panel.pid, 'VmRSS') ?? Number.NaN,
			peakMb: memoryMb(panel.pid, 'VmHWM'),
			writes: endCounts.writes - startCounts.writes,
			frames: endCounts.frames - startCounts.frames,
			usageRequests: options.usageRequests() - startRequests,
		};
	} finally {
		await panel.stop();
	}
};
