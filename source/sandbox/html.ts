/*
The fakes' small HTML pages (authorize, device, paste-code, error) and the reading of them that
browser.ts does. The pages are plain forms that POST back, so a test or the demo can drive them
over HTTP exactly as a browser would, and a person can click them in a real one.

Public API: escapeHtml, page, formPage, messagePage, readForms, readMarked.
*/

export const escapeHtml = (text: string): string =>
	text.replace(
		/[&<>"']/g,
		character =>
			({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[
				character
			] ?? character,
	);

const unescapeHtml = (text: string): string =>
	text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&');

export const page = (title: string, body: string): string =>
	`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
	`<body style="font-family:system-ui,sans-serif;margin:4em auto;max-width:36em">` +
	`<h1>${escapeHtml(title)}</h1>${body}</body></html>`;

/** A page with one sentence in `<p id="message">`: what readMarked('message') returns. */
export const messagePage = (title: string, message: string): string =>
	page(title, `<p id="message">${escapeHtml(message)}</p>`);

export type FormSpec = {
	action: string;
	hidden?: Record<string, string>;
	/** A visible text field (the device pages' user code). */
	input?: {name: string; label: string};
	/** One submit button per decision, e.g. approve / deny. */
	buttons: Array<{name: string; value: string; label: string}>;
};

/** A page with a single POST form: hidden fields, an optional text field, decision buttons. `intro` is HTML. */
export const formPage = (
	title: string,
	intro: string,
	form: FormSpec,
): string => {
	const hidden = Object.entries(form.hidden ?? {})
		.map(
			([name, value]) =>
				`<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
		)
		.join('');
	const input = form.input
		? `<p><label>${escapeHtml(form.input.label)} <input type="text" name="${escapeHtml(form.input.name)}" autocomplete="off"></label></p>`
		: '';
	const buttons = form.buttons
		.map(
			button =>
				`<button type="submit" name="${escapeHtml(button.name)}" value="${escapeHtml(button.value)}">${escapeHtml(button.label)}</button>`,
		)
		.join(' ');
	return page(
		title,
		`${intro}<form method="post" action="${escapeHtml(form.action)}">${hidden}${input}<p>${buttons}</p></form>`,
	);
};

export type ReadForm = {
	action: string;
	fields: Record<string, string>;
	textInputs: string[];
	buttons: Array<{name: string; value: string}>;
};

const attribute = (tag: string, name: string): string | undefined => {
	const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
	return match?.[1] === undefined ? undefined : unescapeHtml(match[1]);
};

/** The POST forms of a page made by formPage (not a general HTML parser: only our own markup). */
export const readForms = (html: string): ReadForm[] =>
	[...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map(([markup]) => {
		const open = /<form\b[^>]*>/.exec(markup)?.[0] ?? '';
		const fields: Record<string, string> = {};
		const textInputs: string[] = [];
		for (const [tag] of markup.matchAll(/<input\b[^>]*>/g)) {
			const name = attribute(tag, 'name');
			if (name === undefined) continue;
			if (attribute(tag, 'type') === 'hidden') {
				fields[name] = attribute(tag, 'value') ?? '';
			} else textInputs.push(name);
		}

		const buttons = [...markup.matchAll(/<button\b[^>]*>/g)].map(([tag]) => ({
			name: attribute(tag, 'name') ?? '',
			value: attribute(tag, 'value') ?? '',
		}));
		return {
			action: attribute(open, 'action') ?? '',
			fields,
			textInputs,
			buttons,
		};
	});

/** The text of the element with this id (e.g. the `code#state` a paste page shows). */
export const readMarked = (html: string, id: string): string | undefined => {
	const match = new RegExp(`<(\\w+) id="${id}">([^<]*)</\\1>`).exec(html);
	return match?.[2] === undefined ? undefined : unescapeHtml(match[2]);
};
