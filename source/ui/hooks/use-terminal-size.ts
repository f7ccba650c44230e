import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

type Size = {columns: number; rows: number};

const sizeOf = (stdout: NodeJS.WriteStream): Size => ({
	columns: stdout.columns || 80,
	rows: stdout.rows || 24,
});

/** The terminal's width and height, kept current when it is resized (80×24 when unknown). */
export const useTerminalSize = (): Size => {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => sizeOf(stdout));
	useEffect(() => {
		const onResize = () => {
			setSize(sizeOf(stdout));
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
};
