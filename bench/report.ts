/* The bench's output: the machine line and two markdown tables. */
import os from 'node:os';
import type {IdleResult} from './idle.js';

export type RowResult = {
	name: string;
	samples: readonly number[];
	/** At most this many times `node -e 0`. */
	maxRatio?: number;
	/** The `node -e 0` of this row's own Node binary, when it is not the bench's. */
	baselineMs?: number;
};

export const quantile = (values: readonly number[], q: number): number => {
	const sorted = [...values].sort((a, b) => a - b);
	const position = (sorted.length - 1) * q;
	const low = Math.floor(position);
	const high = Math.ceil(position);
	const a = sorted[low] ?? Number.NaN;
	const b = sorted[high] ?? Number.NaN;
	return a + (b - a) * (position - low);
};

export const median = (values: readonly number[]) => quantile(values, 0.5);

const verdict = (pass: boolean) => (pass ? 'PASS' : '**MISS**');

export const machineLine = () => {
	const cpus = os.cpus();
	return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length} cores, Node ${process.version}, ${os.type()} ${os.release()}, ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`;
};

export const startupTable = (
	rows: readonly RowResult[],
	baselineMs: number,
): string[] => [
	'| measurement | runs | median ms | p25–p75 ms | × node -e 0 | target | |',
	'|---|---:|---:|---:|---:|---:|---|',
	...rows.map(row => {
		const ms = median(row.samples);
		const ratio = ms / (row.baselineMs ?? baselineMs);
		const spread = `${quantile(row.samples, 0.25).toFixed(1)}–${quantile(row.samples, 0.75).toFixed(1)}`;
		const target =
			row.maxRatio === undefined
				? ['—', '']
				: [`≤ ${row.maxRatio}×`, verdict(ratio <= row.maxRatio)];
		return `| ${row.name} | ${row.samples.length} | ${ms.toFixed(1)} | ${spread} | ${ratio.toFixed(2)} | ${target.join(' | ')} |`;
	}),
];

export const idleTable = (
	idle: IdleResult,
	maxCpuPercent: number,
	maxRssMb: number,
) => [
	`| panel idle, 3 providers, ${idle.seconds.toFixed(1)} s | value | target | |`,
	'|---|---:|---:|---|',
	`| CPU (user + system) | ${idle.cpuPercent.toFixed(2)} % of one core (${idle.userMs.toFixed(0)} + ${idle.systemMs.toFixed(0)} ms) | < ${maxCpuPercent} % | ${verdict(idle.cpuPercent < maxCpuPercent)} |`,
	`| RSS at the end | ${idle.rssMb.toFixed(1)} MB | < ${maxRssMb} MB | ${verdict(idle.rssMb < maxRssMb)} |`,
	`| peak RSS (VmHWM) | ${idle.peakMb === undefined ? 'n/a' : `${idle.peakMb.toFixed(1)} MB`} | — | |`,
	`| frames drawn (synchronized updates) | ${idle.frames} (${(idle.frames / idle.seconds).toFixed(2)}/s) | — | |`,
	`| writes the pty delivered | ${idle.writes} | — | |`,
	`| usage requests the fakes answered | ${idle.usageRequests} | — | |`,
];
