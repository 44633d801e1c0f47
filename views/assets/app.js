// A form sent back with errors: move focus to the error summary so keyboard and screen-reader users start there.
const summary = document.querySelector('.error-summary')
if (summary instanceof HTMLElement) summary.focus()
