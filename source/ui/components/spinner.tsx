import {Text} from 'ink';
import {useNow} from '../hooks/use-now.js';
import {theme} from '../theme.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 120;

export const Spinner = () => {
	const now = useNow(FRAME_MS);
	return (
		<Text color={theme.accent}>
			{FRAMES[Math.floor(now / FRAME_MS) % FRAMES.length]}
		</Text>
	);
};
